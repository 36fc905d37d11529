import puppeteer from 'puppeteer-core';
import { AgentHarness, startAgent } from '../support/agent-app';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createWindow, registerOwner } from '../support/factories';
import { attach, until } from '../support/firefox';
import { freePort } from '../support/proxies';
import { startTestSite, TestSite } from '../support/test-site';

jest.setTimeout(180_000);

const PNG = '89504e47';
const JPEG = 'ffd8ff';

describe('automation of a running window over the Local API', () => {
  let cloud: CloudHarness;
  let agent: AgentHarness;
  let owner: Account;
  let site: TestSite;
  let w: { id: number; uuid: string };
  let wsEndpoint: string;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    owner = await registerOwner(cloud);
    site = await startTestSite();
    agent = await startAgent({ cloudUrl: cloud.url });
    await agent.login(owner.email, owner.password);
    w = await createWindow(cloud, owner, { config: { syncCookies: true } });
    const opened = await agent.post('/browser/open', { uuid: w.uuid });
    expect(opened.code).toBe(0);
    wsEndpoint = opened.data.wsEndpoint;
  });
  afterAll(async () => {
    await agent.post('/browser/close/all').catch(() => undefined);
    await agent.close();
    await site.close();
    await cloud.close();
  });

  it('navigates, evaluates (awaited, as JSON) and takes png and jpeg screenshots', async () => {
    const nav = await agent.post('/browser/navigate', { uuid: w.uuid, url: `${site.url}/welcome` });
    expect(nav).toEqual({
      code: 0,
      msg: 'success',
      data: { id: w.id, uuid: w.uuid, url: `${site.url}/welcome`, status: 200, title: 'Welcome' },
    });

    // A page that cannot be reached: the network error's name and meaning, not the browser's stack.
    const closedPort = await freePort();
    const nowhere = `http://127.0.0.1:${closedPort}/`;
    expect(await agent.post('/browser/navigate', { uuid: w.uuid, url: nowhere })).toEqual({
      code: 422,
      msg: `Navigation to ${nowhere} failed: NS_ERROR_CONNECTION_REFUSED (the connection was refused)`,
      data: { timedOut: false, error: 'NS_ERROR_CONNECTION_REFUSED' },
    });
    const step = await agent.post('/browser/actions', { uuid: w.uuid, steps: [{ type: 'navigate', url: nowhere }] });
    expect(step).toMatchObject({
      code: 422,
      msg: `Step 0 (navigate: navigation to ${nowhere}) failed: NS_ERROR_CONNECTION_REFUSED (the connection was refused)`,
    });
    // From that error page to another unreachable address: named too, not waited out.
    const elsewhere = `http://127.0.0.1:${await freePort()}/other`;
    expect(await agent.post('/browser/navigate', { uuid: w.uuid, url: elsewhere, timeoutMs: 20_000 })).toMatchObject({
      code: 422,
      data: { timedOut: false, error: 'NS_ERROR_CONNECTION_REFUSED' },
    });
    await agent.post('/browser/navigate', { uuid: w.uuid, url: `${site.url}/welcome` });

    const value = await agent.post('/browser/eval', {
      id: w.id,
      code: 'const n = await new Promise((r) => setTimeout(() => r(41), 50)); return { n: n + 1, t: document.title, u: undefined, big: 2n ** 70n, m: new Map([["k", 1]]), nan: NaN };',
    });
    expect(value).toMatchObject({
      code: 0,
      data: {
        id: w.id,
        uuid: w.uuid,
        type: 'object',
        value: { n: 42, t: 'Welcome', u: null, big: '1180591620717411303424', m: { k: 1 }, nan: 'NaN' },
      },
    });
    expect((await agent.post('/browser/eval', { uuid: w.uuid, code: 'document.body' })).data).toMatchObject({ value: null });
    // A script's completion value, a promise awaited, and an awaited expression.
    expect((await agent.post('/browser/eval', { uuid: w.uuid, code: 'let a = 2; a * 21' })).data.value).toBe(42);
    expect((await agent.post('/browser/eval', { uuid: w.uuid, code: 'Promise.resolve("later")' })).data.value).toBe('later');
    expect((await agent.post('/browser/eval', { uuid: w.uuid, code: 'await fetch("/echo").then((r) => r.status)' })).data.value).toBe(200);
    expect(await agent.post('/browser/eval', { uuid: w.uuid, code: 'let = =' })).toMatchObject({
      code: 422,
      msg: "The script threw: expected expression, got '='",
    });
    expect((await agent.post('/browser/eval', { uuid: w.uuid, code: '[1, "two", null]' })).data).toMatchObject({
      type: 'array',
      value: [1, 'two', null],
    });

    const thrown = await agent.post('/browser/eval', { uuid: w.uuid, code: 'throw new Error("boom from page")' });
    expect(thrown).toMatchObject({ code: 422, msg: expect.stringContaining('boom from page') });
    const slow = await agent.post('/browser/eval', { uuid: w.uuid, code: 'new Promise(() => {})', timeoutMs: 300 });
    expect(slow).toMatchObject({ code: 422, msg: 'The script did not finish within 300 ms', data: { timedOut: true } });

    const png = await agent.post('/browser/screenshot', { uuid: w.uuid });
    expect(png.data).toMatchObject({ format: 'png', fullPage: false });
    expect(Buffer.from(png.data.data, 'base64').subarray(0, 4).toString('hex')).toBe(PNG);
    expect(png.data.bytes).toBe(Buffer.from(png.data.data, 'base64').length);
    await agent.post('/browser/navigate', { uuid: w.uuid, url: `${site.url}/form` });
    const jpeg = await agent.post('/browser/screenshot', { uuid: w.uuid, format: 'jpeg', quality: 50, fullPage: true });
    const image = Buffer.from(jpeg.data.data, 'base64');
    expect(image.subarray(0, 3).toString('hex')).toBe(JPEG);
    // The form page is 5,000 px tall: a full-page shot is taller than the 768 px viewport.
    const height = readJpegHeight(image);
    expect(height).toBeGreaterThan(4000);
  });

  it('runs steps in order with each result, and names the first failure by index and what it waited for', async () => {
    const run = await agent.post('/browser/actions', {
      uuid: w.uuid,
      steps: [
        { type: 'navigate', url: `${site.url}/form` },
        { type: 'type', selector: '#user', text: 'alice' },
        { type: 'select', selector: '#plan', values: ['pro'] },
        { type: 'click', selector: '#go' },
        { type: 'wait', text: 'Signed in as alice' },
        { type: 'scroll', x: 0, y: 1000 },
        { type: 'scroll', selector: '#bottom' },
        { type: 'press', key: 'Enter', selector: '#user' },
        { type: 'wait', url: '/welcome?user=alice&plan=pro' },
        { type: 'wait', ms: 10 },
      ],
    });
    expect(run.code).toBe(0);
    const results = run.data.results;
    expect(results.map((r: { index: number; type: string; ok: boolean }) => [r.index, r.type, r.ok])).toEqual([
      [0, 'navigate', true],
      [1, 'type', true],
      [2, 'select', true],
      [3, 'click', true],
      [4, 'wait', true],
      [5, 'scroll', true],
      [6, 'scroll', true],
      [7, 'press', true],
      [8, 'wait', true],
      [9, 'wait', true],
    ]);
    expect(results[0]).toMatchObject({ url: `${site.url}/form`, status: 200 });
    expect(results[2]).toMatchObject({ selected: ['pro'] });
    expect(results[5]).toMatchObject({ scrollX: 0, scrollY: 1000 });
    expect(results[6].scrollY).toBeGreaterThan(3000);
    expect(results[8].url).toBe(`${site.url}/welcome?user=alice&plan=pro`);

    const failed = await agent.post('/browser/actions', {
      uuid: w.uuid,
      steps: [
        { type: 'navigate', url: `${site.url}/form` },
        { type: 'wait', selector: '#never', timeoutMs: 400 },
        { type: 'click', selector: '#go' },
      ],
    });
    expect(failed).toMatchObject({
      code: 422,
      msg: 'Step 1 (wait: selector #never) failed: not done after 400 ms',
      data: {
        results: [{ index: 0, type: 'navigate', ok: true }],
        failed: { index: 1, type: 'wait', waitedFor: 'selector #never', timedOut: true },
      },
    });
    const text = await agent.post('/browser/actions', { uuid: w.uuid, steps: [{ type: 'wait', text: 'never shown', timeoutMs: 300 }] });
    expect(text).toMatchObject({ code: 422, data: { failed: { index: 0, waitedFor: 'text "never shown"', timedOut: true } } });
  });

  it('sets and clears cookies, and exports and imports cookies with local and session storage', async () => {
    await agent.post('/browser/navigate', { uuid: w.uuid, url: `${site.url}/welcome` });
    const set = await agent.post('/browser/cookies/set', {
      uuid: w.uuid,
      cookies: [
        { name: 'a', value: '1', domain: '127.0.0.1', path: '/', secure: false, httpOnly: true, sameSite: 'lax', expiry: 1900000000 },
        { name: 'b', value: '2', domain: 'other.test', path: '/', secure: false, httpOnly: false, sameSite: 'default' },
      ],
    });
    expect(set.data).toMatchObject({ set: 2, total: 2 });
    expect((await agent.post('/browser/eval', { uuid: w.uuid, code: 'document.cookie' })).data.value).toBe('');
    const cleared = await agent.post('/browser/cookies/clear', { uuid: w.uuid, domain: 'other.test' });
    expect(cleared.data).toMatchObject({ cleared: 1, remaining: 1 });

    await agent.post('/browser/eval', {
      uuid: w.uuid,
      code: 'localStorage.setItem("l", "kept"); sessionStorage.setItem("s", "tab"); document.cookie = "js=1; path=/"',
    });
    const exported = await agent.post('/browser/state/export', { uuid: w.uuid });
    expect(exported.data.state.origins).toEqual([{ origin: site.url, localStorage: { l: 'kept' }, sessionStorage: { s: 'tab' } }]);
    expect(exported.data.state.cookies.map((c: { name: string }) => c.name).sort()).toEqual(['a', 'js']);

    // Wiped, then imported back: the open tab gets both storages, an origin with no tab its localStorage.
    await agent.post('/browser/cookies/clear', { uuid: w.uuid });
    await agent.post('/browser/eval', { uuid: w.uuid, code: 'localStorage.clear(); sessionStorage.clear()' });
    const other = site.url.replace('127.0.0.1', 'localhost');
    const state = {
      ...exported.data.state,
      origins: [...exported.data.state.origins, { origin: other, localStorage: { elsewhere: 'yes' }, sessionStorage: { lost: 'x' } }],
    };
    const imported = await agent.post('/browser/state/import', { uuid: w.uuid, state });
    expect(imported.data).toMatchObject({
      cookies: 2,
      origins: [
        { origin: site.url, localStorage: 1, sessionStorage: 1, via: 'open tab' },
        { origin: other, localStorage: 1, sessionStorage: 'skipped', via: 'temporary tab' },
      ],
    });
    const seen = await agent.post('/browser/eval', {
      uuid: w.uuid,
      code: '[localStorage.getItem("l"), sessionStorage.getItem("s"), document.cookie]',
    });
    expect(seen.data.value).toEqual(['kept', 'tab', 'js=1']);
    const browser = await attach(wsEndpoint);
    try {
      const page = await browser.newPage();
      await page.goto(`${other}/welcome`);
      expect(await page.evaluate(() => localStorage.getItem('elsewhere'))).toBe('yes');
      await page.close();
    } finally {
      await browser.disconnect();
    }
  });

  it('cookie files in both formats: a running window through its browser, a closed one through the cloud', async () => {
    const netscape = '# Netscape HTTP Cookie File\n#HttpOnly_.shop.test\tTRUE\t/\tTRUE\t1900000000\tsid\tfrom-file\n';
    const intoBrowser = await agent.post('/browser/cookies/import', { uuid: w.uuid, format: 'netscape', text: netscape });
    // Firefox keeps a cookie at most 400 days: the answer says which expiry it cut, and to what.
    const cap = Math.floor(Date.now() / 1000) + 400 * 86_400;
    expect(intoBrowser.data).toMatchObject({
      source: 'browser',
      imported: 1,
      capped: [{ name: 'sid', domain: '.shop.test', path: '/', expiry: 1900000000, cappedTo: expect.any(Number) }],
    });
    expect(Math.abs(intoBrowser.data.capped[0].cappedTo - cap)).toBeLessThan(300);
    const fresh = await agent.post('/browser/cookies/set', {
      uuid: w.uuid,
      cookies: [{ name: 'near', value: '1', domain: 'shop.test', path: '/', expirationDate: Math.floor(Date.now() / 1000) + 86_400 }],
    });
    expect(fresh.data.capped).toEqual([]);
    const fromBrowser = await agent.post('/browser/cookies/export', { uuid: w.uuid, format: 'json' });
    expect(fromBrowser.data.source).toBe('browser');
    expect(fromBrowser.data.cookies).toContainEqual(
      expect.objectContaining({
        name: 'sid',
        value: 'from-file',
        domain: '.shop.test',
        hostOnly: false,
        httpOnly: true,
        secure: true,
        // Firefox keeps a cookie at most 400 days, whatever the file said.
        expirationDate: expect.any(Number),
      }),
    );

    const closed = await createWindow(cloud, owner);
    const json = [
      {
        domain: '.shop.test',
        name: 'cart',
        value: '3',
        path: '/',
        expirationDate: 1900000000.5,
        sameSite: 'lax',
        hostOnly: false,
        secure: true,
        httpOnly: false,
      },
    ];
    const intoCloud = await agent.post('/browser/cookies/import', { uuid: closed.uuid, format: 'json', cookies: json });
    expect(intoCloud.data).toMatchObject({
      id: closed.id,
      source: 'cloud',
      mode: 'merge',
      imported: 1,
      total: 1,
      capped: [{ name: 'cart', domain: '.shop.test', path: '/', expiry: 1900000000, cappedTo: expect.any(Number) }],
    });
    const asText = await agent.post('/browser/cookies/export', { id: closed.id, format: 'netscape' });
    expect(asText.data).toMatchObject({ source: 'cloud', total: 1 });
    expect(asText.data.text).toContain('.shop.test\tTRUE\t/\tTRUE\t1900000000\tcart\t3');
    // The imported cookies are there when the window opens. Every answer gives the window's id as a number.
    expect((await agent.post('/browser/open', { uuid: closed.uuid })).data).toMatchObject({ id: closed.id, browserId: closed.id });
    const live = await agent.post('/browser/cookies/export', { uuid: closed.uuid });
    expect(live.data).toMatchObject({
      source: 'browser',
      total: 1,
      cookies: [{ name: 'cart', value: '3', domain: '.shop.test', sameSite: 'lax' }],
    });
    expect((await agent.post('/browser/close', { uuid: closed.uuid })).data).toMatchObject({ id: closed.id, browserId: closed.id });
  });

  it('a script connected through the multiplexer and the HTTP endpoints work on one window at once', async () => {
    const script = await puppeteer.connect({ browserWSEndpoint: wsEndpoint, protocol: 'webDriverBiDi', defaultViewport: null });
    try {
      const page = await script.newPage();
      const [mine, theirs] = await Promise.all([
        page.goto(`${site.url}/welcome`).then(() => page.evaluate(() => 6 * 7)),
        agent.post('/browser/eval', { uuid: w.uuid, code: '6 * 7' }),
      ]);
      expect(mine).toBe(42);
      expect(theirs.data.value).toBe(42);
      await page.close();
    } finally {
      await script.disconnect();
    }
  });

  it('a window not running is 404 "Browser not running"; bad input is 211 naming the field; nothing reaches the page', async () => {
    const idle = await createWindow(cloud, owner);
    for (const path of [
      '/browser/navigate',
      '/browser/eval',
      '/browser/screenshot',
      '/browser/actions',
      '/browser/cookies/set',
      '/browser/cookies/clear',
      '/browser/state/export',
      '/browser/state/import',
    ]) {
      const body = { uuid: idle.uuid, url: 'https://example.com', code: '1', steps: [{ type: 'wait', ms: 1 }], cookies: [], state: {} };
      const allowed: Record<string, string[]> = {
        '/browser/navigate': ['uuid', 'url'],
        '/browser/eval': ['uuid', 'code'],
        '/browser/screenshot': ['uuid'],
        '/browser/actions': ['uuid', 'steps'],
        '/browser/cookies/set': ['uuid', 'cookies'],
        '/browser/cookies/clear': ['uuid'],
        '/browser/state/export': ['uuid'],
        '/browser/state/import': ['uuid', 'state'],
      };
      const sent = Object.fromEntries(Object.entries(body).filter(([k]) => allowed[path].includes(k)));
      expect([path, await agent.post(path, sent)]).toEqual([path, { code: 404, msg: 'Browser not running', data: {} }]);
    }

    const bad: [string, Record<string, unknown>, string | RegExp][] = [
      ['/browser/navigate', { url: 'file:///etc/passwd' }, 'url must be an http(s) URL or about:blank'],
      ['/browser/navigate', { url: 'not a url' }, 'url must be an absolute http(s) URL'],
      ['/browser/navigate', { url: `${site.url}/`, waitUntil: 'soon' }, 'waitUntil must be one of'],
      ['/browser/navigate', { url: `${site.url}/`, timeoutMs: 0 }, 'timeoutMs must be 1 to 120000'],
      ['/browser/eval', {}, 'code must be a string'],
      ['/browser/eval', { code: '' }, 'code must not be empty'],
      ['/browser/eval', { code: 1 }, 'code must be a string'],
      ['/browser/screenshot', { format: 'gif' }, 'format must be png or jpeg'],
      ['/browser/screenshot', { quality: 101 }, 'quality must be an integer from 1 to 100'],
      ['/browser/screenshot', { fullPage: 'yes' }, 'fullPage must be true or false'],
      ['/browser/actions', { steps: [] }, 'steps must be an array of 1 to 100 steps'],
      ['/browser/actions', { steps: 'click' }, 'steps must be an array'],
      ['/browser/actions', { steps: [{ type: 'hover', selector: 'a' }] }, 'steps[0].type must be one of navigate, click'],
      ['/browser/actions', { steps: [{ type: 'wait', ms: 1 }, { type: 'click' }] }, 'steps[1].selector is required for a click step'],
      ['/browser/actions', { steps: [{ type: 'click', selector: 'a', text: 'x' }] }, 'steps[0].text is not a field of a click step'],
      [
        '/browser/actions',
        { steps: [{ type: 'wait', selector: 'a', ms: 5 }] },
        'steps[0] waits for exactly one of selector, text, url or ms',
      ],
      ['/browser/actions', { steps: [{ type: 'wait', ms: 600_000 }] }, 'steps[0].ms must be an integer from 0 to 60000'],
      ['/browser/actions', { steps: [{ type: 'press', key: 'NoSuchKey' }] }, 'steps[0].key must be a key name'],
      ['/browser/actions', { steps: [{ type: 'navigate', url: 'javascript:alert(1)' }] }, 'steps[0].url must be an http(s) URL'],
      ['/browser/actions', { steps: [{ type: 'scroll', selector: 'a', y: 5 }] }, 'steps[0] scrolls to a selector or by x/y, not both'],
      ['/browser/actions', { steps: [{ type: 'select', selector: 'a', values: [1] }] }, 'steps[0].values must be an array'],
      ['/browser/cookies/set', { cookies: [{ name: 'a', value: 'b;c', domain: 'x.test' }] }, 'cookies[0]: value must be'],
      ['/browser/cookies/set', { cookies: {} }, 'cookies must be an array'],
      ['/browser/cookies/clear', { domain: '' }, 'domain must not be empty'],
      ['/browser/state/import', { state: [] }, 'state must be an object'],
      ['/browser/state/import', { state: { cookies: [], extra: 1 } }, 'state.extra is not a field of a state'],
      ['/browser/state/import', { state: { origins: [{ origin: 'file:///x' }] } }, 'state.origins[0].origin must be an http(s) origin'],
      [
        '/browser/state/import',
        { state: { origins: [{ origin: 'https://a.test/path' }] } },
        'state.origins[0].origin must be an http(s) origin',
      ],
      [
        '/browser/state/import',
        { state: { origins: [{ origin: 'https://a.test', localStorage: { k: 1 } }] } },
        'state.origins[0].localStorage.k must be a string',
      ],
      ['/browser/state/import', { state: { cookies: [{ name: 'x' }] } }, 'state.cookies[0]: domain must be a string'],
      ['/browser/cookies/import', { format: 'yaml', cookies: [] }, 'format must be one of json, netscape'],
      ['/browser/cookies/import', { format: 'netscape', cookies: [] }, 'cookies is for format json'],
      ['/browser/cookies/import', { format: 'json', text: 'x' }, 'text is for format netscape'],
      ['/browser/cookies/import', { format: 'netscape' }, 'text must be the cookies.txt file'],
      ['/browser/cookies/import', { format: 'netscape', text: 'a\tb' }, 'cookies line 1: expected 7 tab-separated fields'],
      ['/browser/cookies/import', { cookies: [], mode: 'append' }, 'mode must be one of merge, replace'],
      ['/browser/cookies/export', { format: 'csv' }, 'format must be one of json, netscape'],
      ['/browser/eval', { code: '1', extra: true }, 'property extra should not exist'],
    ];
    const before = await agent.post('/browser/eval', { uuid: w.uuid, code: 'location.href + "|" + document.cookie' });
    for (const [path, body, msg] of bad) {
      const answer = await agent.post(path, { uuid: w.uuid, ...body });
      expect([path, body, answer]).toEqual([path, body, { code: 211, msg: expect.stringContaining(msg as string), data: {} }]);
    }
    expect(await agent.post('/browser/eval', { uuid: w.uuid, code: 'location.href + "|" + document.cookie' })).toEqual(before);
    expect(await agent.post('/browser/eval', { code: '1' })).toMatchObject({ code: 211, msg: expect.stringContaining('is required') });
  });

  it('a request racing the close ends as 404, never a 500', async () => {
    const racing = await createWindow(cloud, owner);
    await agent.post('/browser/open', { uuid: racing.uuid });
    const slow = agent.post('/browser/eval', {
      uuid: racing.uuid,
      code: 'new Promise((r) => { window.racing = true; setTimeout(() => r(1), 5000); })',
    });
    await until(
      'the slow script to be running in the page',
      async () => (await agent.post('/browser/eval', { uuid: racing.uuid, code: 'window.racing === true' })).data.value === true,
      4000,
    );
    const closed = await agent.post('/browser/close', { uuid: racing.uuid });
    expect(closed.code).toBe(0);
    expect(await slow).toMatchObject({ code: 404, msg: 'Browser not running' });
    expect(await agent.post('/browser/screenshot', { uuid: racing.uuid })).toEqual({ code: 404, msg: 'Browser not running', data: {} });
  });
});

/** The height in a JPEG's start-of-frame segment. */
function readJpegHeight(jpeg: Buffer): number {
  let offset = 2;
  while (offset < jpeg.length) {
    const marker = jpeg[offset + 1];
    const length = jpeg.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xc3) return jpeg.readUInt16BE(offset + 5);
    offset += 2 + length;
  }
  return 0;
}
