import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentHarness, startAgent } from '../support/agent-app';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createWindow, registerOwner } from '../support/factories';
import { until } from '../support/firefox';
import { InspectSite, startInspectSite } from '../support/inspect-site';

jest.setTimeout(240_000);

/** Refs count up over a tab's life: compared without their numbers. */
const shape = (snapshot: string) => snapshot.replace(/\[ref=(f\d+)?e\d+\]/g, (_m, frame?: string) => `[ref=${frame ? 'f' : ''}e*]`);
const refOf = (snapshot: string, line: string) => {
  const found = snapshot.split('\n').find((l) => l.includes(line));
  const ref = found ? /\[ref=([a-z0-9]+)\]/.exec(found)?.[1] : undefined;
  if (!ref) throw new Error(`no ref on a line with ${line} in:\n${snapshot}`);
  return ref;
};

describe('inspecting and driving a running window for AI agents', () => {
  let cloud: CloudHarness;
  let agent: AgentHarness;
  let owner: Account;
  let site: InspectSite;
  let w: { id: number; uuid: string };
  const go = async (path: string) =>
    expect(await agent.post('/browser/navigate', { uuid: w.uuid, url: `${site.url}${path}` })).toMatchObject({ code: 0, msg: 'success' });
  const snap = async (extra: Record<string, unknown> = {}) => {
    const answer = await agent.post('/browser/snapshot', { uuid: w.uuid, ...extra });
    expect(answer.code).toBe(0);
    return answer.data;
  };
  const evaluate = async (code: string) => (await agent.post('/browser/eval', { uuid: w.uuid, code })).data.value;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    owner = await registerOwner(cloud);
    site = await startInspectSite();
    agent = await startAgent({ cloudUrl: cloud.url, env: { AGENT_LOG_ENTRIES: '50' } });
    await agent.login(owner.email, owner.password);
    w = await createWindow(cloud, owner);
    expect((await agent.post('/browser/open', { uuid: w.uuid })).code).toBe(0);
  });
  afterAll(async () => {
    await agent.post('/browser/close/all').catch(() => undefined);
    await agent.close();
    await site.close();
    await cloud.close();
  });

  it('opens a window with one blank tab: nothing of its launch is taken for an address', async () => {
    const tabs = await agent.post('/browser/tabs', { uuid: w.uuid, action: 'list' });
    expect(tabs.data.tabs).toEqual([{ index: 0, url: 'about:blank', title: '', selected: true }]);
  });

  it('snapshots a form, a table, a page with an iframe and one with shadow DOM as YAML with refs', async () => {
    await go('/form');
    const form = await snap();
    expect(form).toMatchObject({ id: w.id, uuid: w.uuid, tab: 0, url: `${site.url}/form`, title: 'Form', truncated: false, frames: 0 });
    expect(shape(form.snapshot)).toBe(
      [
        '- main:',
        '  - heading "Sign up" [level=1]',
        '  - form:',
        '    - textbox "Email" [required] [ref=e*]: a@b.test',
        '    - textbox "Password" [ref=e*]: ••••••',
        '    - textbox "Bio" [ref=e*]: Hello there',
        '    - combobox "Plan" [ref=e*]: Pro',
        '      - option "Free"',
        '      - option "Pro" [selected]',
        '    - checkbox "I agree" [checked] [ref=e*]',
        '    - group "Size":',
        '      - radio "Small" [ref=e*]',
        '      - radio "Large" [checked] [ref=e*]',
        '    - button "Submit" [ref=e*]',
        '    - button "Later" [disabled] [ref=e*]',
        '  - link "Next page" [ref=e*]: /next?from=form',
      ].join('\n'),
    );
    expect(form.chars).toBe(form.snapshot.length + 1);

    await go('/table');
    expect((await snap()).snapshot).toBe(
      [
        '- table "People":',
        '  - row:',
        '    - columnheader "Name"',
        '    - columnheader "Age"',
        '  - row:',
        '    - cell "Alice"',
        '    - cell "30"',
        '  - row:',
        '    - cell "Bob"',
        '    - cell "41"',
      ].join('\n'),
    );

    await go('/frames');
    const frames = await snap();
    expect(frames.frames).toBe(1);
    expect(shape(frames.snapshot)).toBe(
      [
        '- heading "Outer" [level=1]',
        '- iframe "Inner" [ref=e*]:',
        '  - button "Inner button" [ref=fe*]',
        '  - textbox "Inner field" [ref=fe*]',
        '- paragraph: after',
      ].join('\n'),
    );
    // An element inside the frame is acted on by its ref; its box is in the tab's coordinates.
    const inner = refOf(frames.snapshot, 'Inner button');
    expect(inner).toMatch(/^f\d+e\d+$/);
    expect((await agent.post('/browser/act', { uuid: w.uuid, ref: inner, action: 'click' })).code).toBe(0);
    const box = await agent.post('/browser/get', { uuid: w.uuid, ref: inner, what: 'box' });
    // 40 px margin and 5 px border around the frame, 8 px of the inner body's margin.
    expect(box.data.value).toMatchObject({ x: 40 + 5 + 8 + 8, y: expect.any(Number) });
    expect((await snap()).snapshot).toContain(`button "Inner clicked" [ref=${inner}]`);

    await go('/shadow');
    expect(shape((await snap()).snapshot)).toBe(
      [
        '- heading "Widget" [level=2]',
        '- region "Card":',
        '  - text: Slotted title',
        '  - button "Shadow button" [ref=e*]',
        '  - textbox "Shadow field" [ref=e*]',
      ].join('\n'),
    );
  });

  it("is built in a sandbox: a page that replaces the DOM's and JavaScript's built-ins gets the same snapshot", async () => {
    await go('/form');
    const plain = shape((await snap()).snapshot);
    await go('/hostile');
    // The page's own world is broken as the page made it ...
    expect(await evaluate('document.querySelector("#email")')).toBeNull();
    // ... and the snapshot, made in the sandbox, is not.
    const hostile = await snap();
    expect(shape(hostile.snapshot)).toBe(plain);
    expect(
      (await agent.post('/browser/act', { uuid: w.uuid, ref: refOf(hostile.snapshot, 'Bio'), action: 'fill', text: 'typed' })).data,
    ).toMatchObject({
      value: 'typed',
    });
  });

  it('answers interactive-only, by depth, by selector, cut at maxChars, and as a delta of the last snapshot', async () => {
    await go('/form');
    const interactive = await snap({ interactiveOnly: true });
    expect(shape(interactive.snapshot)).toBe(
      [
        '- textbox "Email" [required] [ref=e*]: a@b.test',
        '- textbox "Password" [ref=e*]: ••••••',
        '- textbox "Bio" [ref=e*]: Hello there',
        '- combobox "Plan" [ref=e*]: Pro',
        '- checkbox "I agree" [checked] [ref=e*]',
        '- radio "Small" [ref=e*]',
        '- radio "Large" [checked] [ref=e*]',
        '- button "Submit" [ref=e*]',
        '- button "Later" [disabled] [ref=e*]',
        '- link "Next page" [ref=e*]',
      ].join('\n'),
    );
    expect((await snap({ depth: 1 })).snapshot).toBe('- main');
    expect(shape((await snap({ selector: 'fieldset' })).snapshot)).toBe(
      ['- group "Size":', '  - radio "Small" [ref=e*]', '  - radio "Large" [checked] [ref=e*]'].join('\n'),
    );
    const cut = await snap({ maxChars: 120 });
    expect(cut.truncated).toBe(true);
    expect(cut.snapshot.length).toBeLessThanOrEqual(120);
    expect(await agent.post('/browser/snapshot', { uuid: w.uuid, selector: '#nothing' })).toMatchObject({
      code: 422,
      msg: 'selector "#nothing": no element matches selector',
    });

    const full = await snap({ delta: true });
    expect(full.delta).toBeNull();
    const unchanged = await snap({ delta: true });
    expect(unchanged).toMatchObject({ snapshot: '', delta: { changed: 0, removed: [], removedCount: 0 } });
    await evaluate('document.getElementById("out").textContent = "Saved!"; document.getElementById("bio").value = "Changed"');
    const changed = await snap({ delta: true });
    expect(shape(changed.snapshot)).toBe(
      ['- main:', '  - form:', '    - textbox "Bio" [ref=e*]: Changed', '  - paragraph: Saved!'].join('\n'),
    );
    expect(changed.delta).toMatchObject({
      changed: 2,
      removedCount: 1,
      removed: [expect.stringMatching(/^- textbox "Bio" \[ref=e\d+\]: Hello there$/)],
    });
  });

  it('acts by ref with every action', async () => {
    await go('/actions');
    const s = (await snap()).snapshot;
    const act = async (line: string, body: Record<string, unknown>) => {
      const answer = await agent.post('/browser/act', { uuid: w.uuid, ref: refOf(s, line), ...body });
      expect([line, answer.code, answer.msg]).toEqual([line, 0, 'success']);
      return answer.data;
    };
    await act('Click me', { action: 'click' });
    await act('Click me', { action: 'click' });
    await act('Double me', { action: 'dblclick' });
    await act('Hover me', { action: 'hover' });
    expect(await act('Focus me', { action: 'focus' })).toMatchObject({ focused: true });
    expect(await evaluate('document.activeElement.id')).toBe('focus');
    await act('Type here', { action: 'type', text: 'héllo' });
    expect(await act('Fill here', { action: 'fill', text: 'replaced' })).toMatchObject({ value: 'replaced' });
    await act('Keys', { action: 'press', key: 'Control+a' });
    expect(await act('Fruit', { action: 'select', values: ['Banana'] })).toMatchObject({ selected: ['b'] });
    expect(await act('Check me', { action: 'check' })).toMatchObject({ checked: true, changed: true });
    expect(await act('Check me', { action: 'check' })).toMatchObject({ checked: true, changed: false });
    expect(await act('Check me', { action: 'uncheck' })).toMatchObject({ checked: false, changed: true });
    const data = Buffer.from('file body').toString('base64');
    expect(await act('File', { action: 'upload', files: [{ name: 'note.txt', data }] })).toMatchObject({ files: 1 });
    // The page writes the file's text above the drag source when it has read it: the drag waits for
    // that, so the layout does not move under the pointer between its press and its release.
    await until(
      'the file to be read',
      async () => (await evaluate('document.getElementById("fileout").textContent')) === 'note.txt:file body',
    );
    await act('Drag source', { action: 'drag', to: { ref: refOf(s, 'Drop target') } });

    expect(
      await evaluate(`[
        document.getElementById('count').textContent,
        document.getElementById('twice').textContent,
        document.getElementById('hover').textContent,
        document.getElementById('typed').value, window.keyCount,
        document.getElementById('filled').value, window.filledBy,
        document.getElementById('keys').dataset.last,
        document.getElementById('fruit').value,
        document.getElementById('check').checked,
        document.getElementById('dst').textContent,
      ]`),
    ).toEqual(['Clicked 2', 'Double clicked', 'Hovered', 'héllo', 5, 'replaced', 'insertText', 'Control+a', 'b', false, 'Dropped']);
    // The upload's file was written under the window's profile, never synced.
    const profileDir = join(agent.dataDir, 'browser-cache', 'firefox-profiles', w.uuid);
    expect(existsSync(join(profileDir, 'uploads'))).toBe(true);

    // By selector, with the nth match.
    expect((await agent.post('/browser/act', { uuid: w.uuid, selector: 'button', nth: 0, action: 'click' })).code).toBe(0);
    expect(await evaluate('document.getElementById("count").textContent')).toBe('Clicked 3');
    // A disabled or missing element answers what it waited for.
    expect(await agent.post('/browser/act', { uuid: w.uuid, selector: '#absent', action: 'click', timeoutMs: 200 })).toMatchObject({
      code: 422,
      msg: 'click on selector #absent failed: no element matches (waited 200 ms)',
      data: { timedOut: true },
    });
  });

  it('a ref from before a navigation is stale: 409 naming it, and the new page gives new refs', async () => {
    await go('/actions');
    const before = (await snap()).snapshot;
    const ref = refOf(before, 'Click me');
    await agent.post('/browser/act', { uuid: w.uuid, ref: refOf(before, 'Go next'), action: 'click' });
    expect(await evaluate('location.pathname')).toBe('/next');
    expect(await agent.post('/browser/act', { uuid: w.uuid, ref, action: 'click' })).toEqual({
      code: 409,
      msg: `Ref ${ref} is stale: the page navigated or the element is gone since the snapshot; take a new snapshot`,
      data: {},
    });
    const after = (await snap()).snapshot;
    expect(refOf(after, 'Fresh button')).not.toBe(ref);
    // An element removed from the page is stale too.
    const fresh = refOf(after, 'Fresh button');
    await evaluate('document.querySelector("button").remove()');
    expect((await agent.post('/browser/get', { uuid: w.uuid, ref: fresh, what: 'text' })).code).toBe(409);
  });

  it('reads elements: text, html, value, attribute, count, visible, enabled, checked, editable, box', async () => {
    await go('/form');
    const s = (await snap()).snapshot;
    const get = async (body: Record<string, unknown>) => (await agent.post('/browser/get', { uuid: w.uuid, ...body })).data.value;
    expect(await get({ selector: 'h1', what: 'text' })).toBe('Sign up');
    expect(await get({ selector: 'h1', what: 'html' })).toBe('<h1>Sign up</h1>');
    expect(await get({ ref: refOf(s, 'Email'), what: 'value' })).toBe('a@b.test');
    expect(await get({ ref: refOf(s, 'Email'), what: 'attribute', name: 'type' })).toBe('email');
    expect(await get({ selector: 'input[type=radio]', what: 'count' })).toBe(2);
    expect(await get({ selector: 'form div button', what: 'visible' })).toBe(false);
    expect(await get({ ref: refOf(s, 'Later'), what: 'enabled' })).toBe(false);
    expect(await get({ ref: refOf(s, 'I agree'), what: 'checked' })).toBe(true);
    expect(await get({ ref: refOf(s, 'Bio'), what: 'editable' })).toBe(true);
    expect(await get({ ref: refOf(s, 'Submit'), what: 'box' })).toMatchObject({ width: expect.any(Number), height: expect.any(Number) });
    expect(await agent.post('/browser/get', { uuid: w.uuid, selector: 'h1', what: 'text', maxChars: 3 })).toMatchObject({
      data: { value: 'Sig', truncated: true },
    });
  });

  it('fills several fields at once; the first failure names its field', async () => {
    await go('/form');
    const s = (await snap()).snapshot;
    const filled = await agent.post('/browser/fill', {
      uuid: w.uuid,
      fields: [
        { ref: refOf(s, 'Email'), value: 'c@d.test' },
        { ref: refOf(s, 'Plan'), value: 'free' },
        { ref: refOf(s, 'I agree'), value: false },
        { selector: 'input[value=s]', value: true },
      ],
    });
    expect(filled.code).toBe(0);
    expect(await evaluate('[email.value, plan.value, terms.checked, document.querySelector("input[value=s]").checked]')).toEqual([
      'c@d.test',
      'free',
      false,
      true,
    ]);
    const failed = await agent.post('/browser/fill', {
      uuid: w.uuid,
      fields: [
        { ref: refOf(s, 'Bio'), value: 'ok' },
        { selector: '#nope', value: 'x' },
      ],
      timeoutMs: 200,
    });
    expect(failed).toMatchObject({
      code: 422,
      msg: expect.stringMatching(/^fields\[1\]: fill on selector #nope failed: no element matches/),
      data: { failed: 1 },
    });
  });

  it('keeps console messages, page errors and network requests per tab, with bodies when asked, and clears them', async () => {
    const bodies = await agent.post('/browser/network/bodies', { uuid: w.uuid, enabled: true, maxBytes: 1000 });
    expect(bodies.data).toMatchObject({ enabled: true, maxBytes: 1000 });
    await agent.post('/browser/logs/clear', { uuid: w.uuid });
    await go('/logs');
    await until('the fetches to end', async () => (await evaluate('document.title')) === 'got true');
    const logs = await until('the logs', async () => {
      const answer = (await agent.post('/browser/logs', { uuid: w.uuid })).data;
      const done = answer.network.entries.filter((e: { status: number | null }) => e.status !== null).length >= 4;
      return answer.errors.entries.length > 0 && done ? answer : undefined;
    });
    expect(logs.console.entries.map((e: { level: string; text: string }) => [e.level, e.text])).toEqual([
      ['log', 'hello 42'],
      ['warn', 'careful'],
      ['error', 'bad thing'],
    ]);
    expect(logs.console.entries[0].source).toContain('/logs');
    expect(logs.errors.entries[0].text).toContain('uncaught boom');
    const byPath = (path: string) => logs.network.entries.find((e: { url: string }) => e.url === `${site.url}${path}`);
    expect(byPath('/logs')).toMatchObject({
      method: 'GET',
      status: 200,
      mimeType: expect.stringContaining('text/html'),
      ms: expect.any(Number),
    });
    expect(byPath('/api/missing')).toMatchObject({ status: 404 });
    const echo = byPath('/api/echo');
    expect(echo).toMatchObject({ method: 'POST', status: 200 });
    const response = await agent.post('/browser/network/body', { uuid: w.uuid, requestId: echo.requestId });
    expect(response.data).toMatchObject({ part: 'response', encoding: 'text', data: 'echo:ping-body' });
    const request = await agent.post('/browser/network/body', { uuid: w.uuid, requestId: echo.requestId, part: 'request' });
    expect(request.data).toMatchObject({ part: 'request', data: 'ping-body' });
    expect(await agent.post('/browser/network/body', { uuid: w.uuid, requestId: 'no-such-request' })).toMatchObject({ code: 404 });

    // Newer than a seq only; then cleared.
    const since = logs.console.entries[1].seq;
    expect((await agent.post('/browser/logs', { uuid: w.uuid, kinds: ['console'], since })).data.console.entries).toHaveLength(1);
    expect((await agent.post('/browser/logs/clear', { uuid: w.uuid, kinds: ['console'] })).data.cleared).toEqual({ console: 3 });
    expect((await agent.post('/browser/logs', { uuid: w.uuid, kinds: ['console'] })).data.console.entries).toEqual([]);
    // Bounded: AGENT_LOG_ENTRIES (50 here) per log, the oldest dropped and counted.
    await evaluate('for (let i = 0; i < 70; i++) console.log("line " + i)');
    const bounded = await until('70 lines logged', async () => {
      const c = (await agent.post('/browser/logs', { uuid: w.uuid, kinds: ['console'] })).data.console;
      return c.entries.at(-1)?.text === 'line 69' ? c : undefined;
    });
    expect(bounded.entries).toHaveLength(50);
    expect(bounded.dropped).toBe(20);
    await agent.post('/browser/network/bodies', { uuid: w.uuid, enabled: false });
  });

  it('saves a download under the profile, lists it and fetches it', async () => {
    const tabs = await agent.post('/browser/tabs', { uuid: w.uuid, action: 'new', url: `${site.url}/download` });
    expect(tabs.data.tabs).toHaveLength(2);
    await agent.post('/browser/act', { uuid: w.uuid, selector: '#dl', action: 'click' });
    const download = await until('the download', async () => {
      const list = (await agent.post('/browser/downloads', { uuid: w.uuid })).data.downloads;
      return list.find((d: { state: string }) => d.state === 'complete');
    });
    expect(download).toMatchObject({ url: `${site.url}/file.txt`, suggestedFilename: 'report.txt', file: 'report.txt', bytes: 19 });
    const profileDir = join(agent.dataDir, 'browser-cache', 'firefox-profiles', w.uuid);
    expect(readFileSync(join(profileDir, 'downloads', 'report.txt'), 'utf8')).toBe('downloaded content\n');
    const res = await fetch(`${agent.url}/browser/downloads/fetch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Cos-Local-Token': agent.token },
      body: JSON.stringify({ uuid: w.uuid, downloadId: download.id }),
    });
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(await res.text()).toBe('downloaded content\n');
    expect(await agent.post('/browser/downloads/fetch', { uuid: w.uuid, downloadId: 'd999' })).toMatchObject({ code: 404 });
    await agent.post('/browser/tabs', { uuid: w.uuid, action: 'close', index: 1 });
  });

  it('answers dialogs by the policy, or leaves them for an explicit call that nothing else blocks on', async () => {
    await go('/dialog');
    const answer = () => evaluate('document.getElementById("answer").textContent');
    // Default policy: dismiss.
    await agent.post('/browser/act', { uuid: w.uuid, selector: '#ask', action: 'click' });
    expect(await answer()).toBe('false');
    await agent.post('/browser/dialogs/policy', { uuid: w.uuid, policy: 'accept', promptText: 'Ada' });
    await agent.post('/browser/act', { uuid: w.uuid, selector: '#ask', action: 'click' });
    expect(await answer()).toBe('true');
    await agent.post('/browser/act', { uuid: w.uuid, selector: '#name', action: 'click' });
    expect(await answer()).toBe('Ada');

    // Manual: the dialog stays; calls that would act behind it say so at once, the snapshot shows it.
    await agent.post('/browser/dialogs/policy', { uuid: w.uuid, policy: 'manual' });
    expect((await agent.post('/browser/act', { uuid: w.uuid, selector: '#name', action: 'click' })).data).toMatchObject({
      action: 'click',
      dialog: { type: 'prompt', message: 'Your name?' },
    });
    const blocked = await agent.post('/browser/act', { uuid: w.uuid, selector: '#ask', action: 'click' });
    expect(blocked).toEqual({
      code: 409,
      msg: 'A prompt dialog is open on tab 0 ("Your name?"); answer it with /browser/dialogs/handle',
      data: {},
    });
    expect((await snap()).dialog).toEqual({ type: 'prompt', message: 'Your name?' });
    expect((await agent.post('/browser/dialogs/handle', { uuid: w.uuid, accept: true, promptText: 'Grace' })).code).toBe(0);
    await until('the answer', async () => (await answer()) === 'Grace');
    expect(await agent.post('/browser/dialogs/handle', { uuid: w.uuid, accept: true })).toMatchObject({
      code: 404,
      msg: 'No dialog is open on tab 0',
    });
    const log = (await agent.post('/browser/logs', { uuid: w.uuid, kinds: ['dialogs'] })).data.dialogs.entries;
    expect(log.map((d: { type: string; handledBy: string; accepted: boolean }) => [d.type, d.handledBy, d.accepted])).toEqual([
      ['confirm', 'policy', false],
      ['confirm', 'policy', true],
      ['prompt', 'policy', true],
      ['prompt', 'call', true],
    ]);
    await agent.post('/browser/dialogs/policy', { uuid: w.uuid, policy: 'dismiss' });
  });

  it('gets, sets, deletes and clears local and session storage per origin', async () => {
    await go('/storage');
    const call = (path: string, body: Record<string, unknown>) => agent.post(`/browser/storage/${path}`, { uuid: w.uuid, ...body });
    expect((await call('set', { kind: 'local', entries: { a: '1', b: '2' } })).data).toMatchObject({ origin: site.url, count: 2 });
    expect((await call('set', { kind: 'session', origin: site.url, entries: { s: 'tab' } })).data.count).toBe(1);
    expect((await call('get', { kind: 'local' })).data).toMatchObject({ origin: site.url, entries: { a: '1', b: '2' }, count: 2 });
    expect((await call('get', { kind: 'local', key: 'b' })).data.value).toBe('2');
    expect((await call('delete', { kind: 'local', keys: ['a', 'zz'] })).data).toMatchObject({ deleted: 1, count: 1 });
    expect(await evaluate('[localStorage.getItem("a"), localStorage.getItem("b"), sessionStorage.getItem("s")]')).toEqual([
      null,
      '2',
      'tab',
    ]);
    expect((await call('clear', { kind: 'session' })).data.cleared).toBe(1);
    expect(await call('get', { kind: 'local', origin: 'https://elsewhere.test' })).toMatchObject({
      code: 404,
      msg: 'No frame of tab 0 is on https://elsewhere.test; open the origin in the tab first',
    });
  });

  it('moves the mouse and types by coordinates, and lists, opens, selects and closes tabs', async () => {
    await go('/actions');
    const box = (await agent.post('/browser/get', { uuid: w.uuid, selector: '#count', what: 'box' })).data.value;
    const x = Math.round(box.x + box.width / 2);
    const y = Math.round(box.y + box.height / 2);
    expect((await agent.post('/browser/mouse', { uuid: w.uuid, action: 'click', x, y })).code).toBe(0);
    expect((await agent.post('/browser/mouse', { uuid: w.uuid, action: 'down', x, y })).code).toBe(0);
    expect((await agent.post('/browser/mouse', { uuid: w.uuid, action: 'up' })).code).toBe(0);
    expect(await evaluate('document.getElementById("count").textContent')).toBe('Clicked 2');
    await agent.post('/browser/act', { uuid: w.uuid, selector: '#typed', action: 'focus' });
    await agent.post('/browser/keyboard', { uuid: w.uuid, action: 'type', text: 'ab' });
    await agent.post('/browser/keyboard', { uuid: w.uuid, action: 'press', key: 'Backspace' });
    await agent.post('/browser/keyboard', { uuid: w.uuid, action: 'down', key: 'Shift' });
    await agent.post('/browser/keyboard', { uuid: w.uuid, action: 'press', key: 'c' });
    await agent.post('/browser/keyboard', { uuid: w.uuid, action: 'up', key: 'Shift' });
    expect(await evaluate('document.getElementById("typed").value')).toBe('aC');
    await agent.post('/browser/mouse', { uuid: w.uuid, action: 'wheel', x: 10, y: 10, deltaY: 300 });

    expect((await agent.post('/browser/tabs', { uuid: w.uuid })).data.tabs).toEqual([
      { index: 0, url: `${site.url}/actions`, title: 'Actions', selected: true },
    ]);
    const opened = await agent.post('/browser/tabs', { uuid: w.uuid, action: 'new', url: `${site.url}/table` });
    expect(opened.data.tabs).toEqual([
      { index: 0, url: `${site.url}/actions`, title: 'Actions', selected: false },
      { index: 1, url: `${site.url}/table`, title: 'Table', selected: true },
    ]);
    // The selected tab is where calls without `tab` go.
    expect((await snap()).snapshot).toContain('table "People"');
    expect((await snap({ tab: 0 })).snapshot).toContain('Double me');
    await agent.post('/browser/tabs', { uuid: w.uuid, action: 'select', index: 0 });
    expect((await snap()).url).toBe(`${site.url}/actions`);
    expect((await agent.post('/browser/tabs', { uuid: w.uuid, action: 'close', index: 1 })).data.tabs).toHaveLength(1);
    expect(await agent.post('/browser/tabs', { uuid: w.uuid, action: 'close', index: 0 })).toMatchObject({ code: 409 });
    expect(await agent.post('/browser/snapshot', { uuid: w.uuid, tab: 3 })).toMatchObject({
      code: 404,
      msg: 'Tab 3 does not exist; the window has 1 tab(s)',
    });
  });

  it('every endpoint: 401 without the token, 404 "Browser not running", 211 naming the bad field, and nothing happens', async () => {
    const endpoints: [string, Record<string, unknown>][] = [
      ['/browser/snapshot', {}],
      ['/browser/act', { selector: 'a', action: 'click' }],
      ['/browser/fill', { fields: [{ selector: 'a', value: 'x' }] }],
      ['/browser/get', { selector: 'a', what: 'text' }],
      ['/browser/tabs', {}],
      ['/browser/logs', {}],
      ['/browser/logs/clear', {}],
      ['/browser/network/bodies', { enabled: true }],
      ['/browser/network/body', { requestId: 'r' }],
      ['/browser/downloads', {}],
      ['/browser/downloads/fetch', { downloadId: 'd1' }],
      ['/browser/dialogs/policy', { policy: 'accept' }],
      ['/browser/dialogs/handle', { accept: true }],
      ['/browser/storage/get', { kind: 'local' }],
      ['/browser/storage/set', { kind: 'local', entries: { a: 'b' } }],
      ['/browser/storage/delete', { kind: 'local', keys: ['a'] }],
      ['/browser/storage/clear', { kind: 'local' }],
      ['/browser/mouse', { action: 'move', x: 1, y: 1 }],
      ['/browser/keyboard', { action: 'press', key: 'Enter' }],
    ];
    const idle = await createWindow(cloud, owner);
    for (const [path, body] of endpoints) {
      expect([path, await agent.post(path, { uuid: w.uuid, ...body }, { token: null })]).toEqual([
        path,
        { code: 401, msg: 'Invalid local access token', data: {} },
      ]);
      expect([path, await agent.post(path, { uuid: idle.uuid, ...body })]).toEqual([
        path,
        { code: 404, msg: 'Browser not running', data: {} },
      ]);
    }

    await go('/form');
    const bad: [string, Record<string, unknown>, string][] = [
      ['/browser/snapshot', { depth: 0 }, 'depth must be an integer from 1 to 100'],
      ['/browser/snapshot', { maxChars: 'x' }, 'maxChars must be an integer'],
      ['/browser/snapshot', { interactiveOnly: 'yes' }, 'interactiveOnly must be true or false'],
      ['/browser/snapshot', { tab: -1 }, 'tab must be an integer from 0 to 1000'],
      ['/browser/act', { action: 'click' }, 'the element: give exactly one of ref and selector'],
      ['/browser/act', { ref: 'e1', selector: 'a', action: 'click' }, 'give exactly one of ref and selector'],
      ['/browser/act', { ref: 'button', action: 'click' }, 'ref must be a snapshot ref such as e12 or f1e7'],
      ['/browser/act', { selector: 'a', action: 'smash' }, 'action must be one of click, dblclick'],
      ['/browser/act', { selector: 'a', action: 'type' }, 'text is required for type'],
      ['/browser/act', { selector: 'a', action: 'click', text: 'x' }, 'text is not a field of click'],
      ['/browser/act', { selector: 'a', action: 'press', key: 'NoSuchKey' }, 'key: "NoSuchKey" is not a key name'],
      ['/browser/act', { selector: 'a', action: 'select', values: [] }, 'values must name at least one option'],
      ['/browser/act', { selector: 'a', action: 'upload', files: [{ name: '../x', data: '' }] }, 'files[0].name must be a file name'],
      [
        '/browser/act',
        { selector: 'a', action: 'upload', files: [{ name: 'x', data: '***' }] },
        "files[0].data must be the file's bytes in base64",
      ],
      ['/browser/act', { selector: 'a', action: 'drag', to: {} }, 'to: give exactly one of ref and selector'],
      ['/browser/act', { selector: 'a', action: 'click', modifiers: ['Hyper'] }, 'modifiers must be among'],
      ['/browser/act', { selector: 'a', action: 'click', timeoutMs: 0 }, 'timeoutMs must be an integer from 1 to 120000'],
      ['/browser/fill', { fields: [] }, 'fields must be an array of 1 to 100 fields'],
      ['/browser/fill', { fields: [{ selector: 'a', value: 3 }] }, 'fields[0].value must be a string'],
      ['/browser/fill', { fields: [{ selector: 'a', value: 'x', type: 'textbox' }] }, 'fields[0].type is not a field of a form field'],
      ['/browser/get', { selector: 'a', what: 'colour' }, 'what must be one of text, html'],
      ['/browser/get', { selector: 'a', what: 'attribute' }, 'name is required for attribute'],
      ['/browser/get', { ref: 'e1', what: 'count' }, 'count goes with selector'],
      ['/browser/tabs', { action: 'open' }, 'action must be one of list, new, select, close'],
      ['/browser/tabs', { action: 'select' }, 'index is required to select a tab'],
      ['/browser/tabs', { action: 'new', url: 'file:///etc/passwd' }, 'url must be an http(s) URL or about:blank'],
      ['/browser/logs', { kinds: ['cookies'] }, 'kinds must be among console, errors, network, dialogs'],
      ['/browser/logs', { limit: 0 }, 'limit must be an integer from 1 to 100000'],
      ['/browser/network/bodies', { enabled: 'on' }, 'enabled must be true or false'],
      ['/browser/network/bodies', { enabled: true, maxBytes: 100_000_000 }, 'maxBytes must be an integer from 1 to 10485760'],
      ['/browser/network/body', { requestId: '' }, 'requestId must not be empty'],
      ['/browser/network/body', { requestId: 'r', part: 'headers' }, 'part must be one of request, response'],
      ['/browser/downloads/fetch', {}, 'downloadId must be a string'],
      ['/browser/dialogs/policy', { policy: 'ignore' }, 'policy must be one of accept, dismiss, manual'],
      ['/browser/dialogs/policy', { policy: 'dismiss', promptText: 'x' }, 'promptText goes with policy accept'],
      ['/browser/dialogs/handle', {}, 'accept must be true or false'],
      ['/browser/storage/get', { kind: 'cookies' }, 'kind must be one of local, session'],
      ['/browser/storage/get', { kind: 'local', origin: 'file:///x' }, 'origin must be an http(s) origin'],
      ['/browser/storage/set', { kind: 'local', entries: { a: 1 } }, 'entries.a must be a string'],
      ['/browser/storage/set', { kind: 'local', entries: {} }, 'entries must hold 1 to 1000 keys'],
      ['/browser/storage/delete', { kind: 'local', keys: [1] }, 'keys must be an array of strings'],
      ['/browser/mouse', { action: 'click' }, 'x and y are required for click'],
      ['/browser/mouse', { action: 'move', x: 1 }, 'x and y go together'],
      ['/browser/mouse', { action: 'fly', x: 1, y: 1 }, 'action must be one of move, down, up, click, wheel'],
      ['/browser/keyboard', { action: 'type', key: 'a' }, 'type takes text (and no key)'],
      ['/browser/keyboard', { action: 'down', key: 'Hyper' }, 'key: "Hyper" is not a key name'],
      ['/browser/snapshot', { extra: 1 }, 'property extra should not exist'],
    ];
    const before = await evaluate('location.href + "|" + localStorage.length + "|" + document.getElementById("bio").value');
    for (const [path, body, msg] of bad) {
      const answer = await agent.post(path, { uuid: w.uuid, ...body });
      expect([path, body, answer]).toEqual([path, body, { code: 211, msg: expect.stringContaining(msg), data: {} }]);
    }
    expect(await evaluate('location.href + "|" + localStorage.length + "|" + document.getElementById("bio").value')).toBe(before);
  });
});
