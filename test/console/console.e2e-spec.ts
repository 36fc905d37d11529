import { createHash } from 'node:crypto';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { ensureConsoleBuilt } from '../support/console-build';
import { answerOnce, launchChromium, refreshWithoutMe, screenshot, signInConsole } from '../support/console-browser';
import { Account, addMember, createGroup, createWindow, registerOwner } from '../support/factories';
import { line } from '../support/line-client';

jest.setTimeout(180_000);

describe('the web console in a real browser', () => {
  let cloud: CloudHarness;
  let browser: Browser;
  let owner: Account;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: { CONSOLE_DIR: ensureConsoleBuilt() } });
    owner = await registerOwner(cloud);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await cloud.close();
  });

  const signIn = (context: BrowserContext, account: Account): Promise<Page> => signInConsole(context, cloud.url, account);
  const shot = screenshot;
  const detail = async (id: number) => (await cloud.post('/browser/detail', { id }, owner.token)).data;

  it('serves the page with a policy that allows no inline script but its own theme script, and hands out the refresh token only as a strict cookie', async () => {
    const page = await fetch(`${cloud.url}/`);
    const html = await page.text();
    // One inline script, the one that sets the chosen theme, let in by the hash of its text only.
    const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((found) => found[1]);
    expect(inline).toEqual([expect.stringContaining("localStorage.getItem('cos.console.theme')")]);
    const hash = createHash('sha256').update(inline[0]).digest('base64');
    expect(/script-src ([^;]*)/.exec(page.headers.get('content-security-policy')!)?.[1]).toBe(`'self' 'sha256-${hash}'`);
    // The page's tags carry the nonce its policy names (no placeholder of the build left).
    const nonce = /'nonce-([^']+)'/.exec(page.headers.get('content-security-policy')!)![1];
    const script = /<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js" nonce="([^"]+)"><\/script>/.exec(html);
    expect([script?.[1], /<meta property="csp-nonce" nonce="([^"]+)">/.exec(html)?.[1]]).toEqual([nonce, nonce]);
    expect(html).not.toContain('placeholder');
    // The script travels compressed and is cached for good (its name changes with its content).
    const asset = await fetch(`${cloud.url}${/src="([^"]+\.js)"/.exec(html)![1]}`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect([asset.status, asset.headers.get('content-encoding'), asset.headers.get('cache-control')]).toEqual([
      200,
      'gzip',
      'public, max-age=31536000, immutable',
    ]);
    // The page is its own in each answer (its nonce): never stored. API answers carry no ETag
    // (nothing revalidates a POST) and name no framework.
    expect(page.headers.get('cache-control')).toBe('no-store');
    const api = await fetch(`${cloud.url}/browser/detail`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${owner.token}` },
      body: '{"id":1}',
    });
    expect([api.headers.get('etag'), api.headers.get('x-powered-by'), api.headers.get('x-content-type-options')]).toEqual([
      null,
      null,
      'nosniff',
    ]);

    const login = await fetch(`${cloud.url}/auth/console/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: cloud.url },
      body: JSON.stringify({ email: owner.email, password: owner.password }),
    });
    const answer = await login.json();
    expect(answer.data.accessToken).toEqual(expect.any(String));
    expect(answer.data).not.toHaveProperty('refreshToken');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^cos_console_refresh=[^;]+; Path=\/auth\/console; HttpOnly; SameSite=Strict$/);

    // Another site cannot use the cookie: refresh and logout check Origin first.
    for (const origin of ['http://evil.test', null]) {
      const refused = await fetch(`${cloud.url}/auth/console/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie.split(';')[0], ...(origin ? { Origin: origin } : {}) },
        body: '{}',
      });
      expect((await refused.json()).code).toBe(403);
    }
    const refreshed = await fetch(`${cloud.url}/auth/console/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie.split(';')[0], Origin: cloud.url },
      body: '{}',
    });
    // Its answer says who the new token signs in, as /auth/me answers that token.
    const renewed = await refreshed.json();
    expect(renewed.code).toBe(0);
    expect(renewed.data.me).toEqual((await cloud.post('/auth/me', {}, renewed.data.accessToken)).data);
    expect(renewed.data.me.user.email).toBe(owner.email);
    // Bad input is 211 naming the field and sets no cookie; a wrong password is the login's 401.
    const consoleLogin = (body: unknown) =>
      fetch(`${cloud.url}/auth/console/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: cloud.url },
        body: JSON.stringify(body),
      });
    for (const [body, code, msg] of [
      [{ email: owner.email }, 211, 'password'],
      [{ email: 'not-an-email', password: 'x' }, 211, 'email must be an email address'],
      [{ email: owner.email, password: 'x', extra: 1 }, 211, 'extra'],
      [{ email: owner.email, password: 'wrong password' }, 401, 'Invalid email or password'],
    ] as const) {
      const answer = await consoleLogin(body);
      expect(answer.headers.get('set-cookie')).toBeNull();
      expect(await answer.json()).toEqual({ code, msg: expect.stringContaining(msg), data: {} });
    }
    const noCookie = await fetch(`${cloud.url}/auth/console/refresh`, { method: 'POST', headers: { Origin: cloud.url } });
    expect((await noCookie.json()).code).toBe(401);
    // Personal API tokens work as before.
    const token = (await cloud.post('/auth/token/create', { name: 'script' }, owner.token)).data.token;
    expect((await cloud.post('/auth/me', {}, token)).code).toBe(0);
  });

  it('creates a team from the sign-in page, signed in as its owner', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${cloud.url}/`);
    await page.getByRole('button', { name: 'Create a team' }).click();
    await page.getByLabel('Email').fill('founder@example.com');
    await page.getByLabel('Password').fill('short');
    await page.getByLabel('Team name (optional)').fill('Founders');
    await page.getByRole('button', { name: 'Create team and sign in' }).click();
    // The browser holds a password under 8 characters back; nothing is created.
    expect(await page.getByLabel('Password').evaluate((el: HTMLInputElement) => el.validity.tooShort)).toBe(true);
    await page.getByLabel('Password').fill('founder-password');
    await page.getByRole('button', { name: 'Create team and sign in' }).click();
    await page.getByRole('heading', { name: 'Windows' }).waitFor();
    await page.getByText('founder@example.com (owner, Founders)').waitFor();
    await context.close();
  });

  it("holds its policy while a dialog is open: the dialog's scroll lock is a style with the page's own nonce, refused nothing", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) refused.push(message.text());
    });
    const answer = await page.goto(`${cloud.url}/`);
    const policy = (await answer!.allHeaders())['content-security-policy'];
    const nonce = /style-src 'self' 'nonce-([A-Za-z0-9+/=]{22,})';/.exec(policy)?.[1];
    expect(nonce).toEqual(expect.any(String));
    // A page's nonce is its own: the next answer carries another.
    const again = (await fetch(`${cloud.url}/`)).headers.get('content-security-policy');
    expect(again).not.toContain(nonce);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'New window' }).click();
    await page.getByRole('dialog').waitFor();
    // The page behind the dialog does not scroll (the lock's <style> was let in).
    expect(await page.evaluate(() => getComputedStyle(document.body).overflow)).toBe('hidden');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(refused).toEqual([]);
    await context.close();
  });

  it('stays responsive while the windows list is still loading: typing and clicking go through', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The list answers late, as on a busy cloud: the page renders again and again before its rows come.
    await context.route('**/browser/list', async (route) => {
      await released;
      await route.continue();
    });
    const page = await signIn(context, owner);
    await page.getByLabel('Search name or remark').fill('still loading');
    const answered = await Promise.race([
      page.evaluate(() => 'answered'),
      new Promise<string>((resolve) => setTimeout(() => resolve('the page is frozen'), 5_000)),
    ]);
    expect(answered).toBe('answered');
    await page.getByRole('button', { name: 'New window' }).click({ timeout: 10_000 });
    await page.getByRole('dialog').waitFor({ timeout: 10_000 });
    release();
    await context.close();
  });

  it('signs in, creates a window, moves two windows to a group in one batch, deletes and restores through the recycle bin', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signIn(context, owner);
    await shot(page, 'windows-empty');

    await page.getByRole('button', { name: 'New window' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Shop DE');
    await page.getByLabel('Timezone').fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    // The dialog closes once the cloud took it.
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'Shop DE', exact: true }).waitFor();
    const created = (await cloud.post('/browser/list', { keyword: 'Shop DE' }, owner.token)).data.list[0];
    expect(created.browserFingerPrint.timezone).toBe('Europe/Berlin');

    const group = await createGroup(cloud, owner, 'Marketplace');
    const one = await createWindow(cloud, owner, { name: 'batch one' });
    const two = await createWindow(cloud, owner, { name: 'batch two' });
    await page.reload();
    await page.getByRole('checkbox', { name: 'Select batch one' }).check();
    await page.getByRole('checkbox', { name: 'Select batch two' }).check();
    await page.getByLabel('Move to group').selectOption({ label: 'Marketplace' });
    await page.getByRole('button', { name: 'Move', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Move to group: done' }).waitFor();
    expect([(await detail(one.id)).groupId, (await detail(two.id)).groupId]).toEqual([group, group]);
    const audit = await cloud.post('/audit/list', { kind: 'window.updated' }, owner.token);
    expect(audit.data.list.filter((e: { windowId: number }) => [one.id, two.id].includes(e.windowId))).toHaveLength(2);
    await shot(page, 'windows');

    await page.getByRole('checkbox', { name: 'Select batch two' }).check();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page
      .getByRole('alertdialog', { name: 'Move 1 window to the recycle bin?' })
      .getByRole('button', { name: 'Move to recycle bin' })
      .click();
    await page.getByRole('status').filter({ hasText: 'Moved 1 window to the recycle bin' }).waitFor();
    await page.getByRole('cell', { name: 'batch two', exact: true }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Recycle bin' }).click();
    // The bin says how long a window waits there, and when this one goes for good.
    await page.getByText('A window stays here 30 days after it was deleted').waitFor();
    const bin = (await cloud.post('/browser/recycle/list', { pageSize: 100 }, owner.token)).data.list;
    const goes = new Date(Date.parse(bin.find((w: { id: number }) => w.id === two.id).deletedAt) + 30 * 86_400_000);
    const binned = page.getByRole('row').filter({ hasText: 'batch two' });
    expect(await binned.getByRole('cell').nth(4).textContent()).toBe(
      await page.evaluate((at) => new Date(at).toLocaleDateString(), goes.getTime()),
    );
    await page.getByRole('button', { name: 'Restore batch two' }).click();
    await page.getByRole('status').filter({ hasText: 'done' }).waitFor();
    await shot(page, 'recycle-bin');
    expect((await detail(two.id)).deletedAt).toBeNull();

    // Each page, once its data is in (the event stream keeps the network busy: wait for content).
    for (const [link, name, ready] of [
      ['Groups and tags', 'groups-and-tags', () => page.getByRole('textbox', { name: 'Name of group Marketplace' })],
      ['Proxies', 'proxies', () => page.getByText('No saved proxies yet.', { exact: false })],
      ['Members', 'members', () => page.getByRole('cell', { name: owner.email, exact: true })],
      ['Audit log', 'audit-log', () => page.getByRole('cell', { name: 'Window created' }).first()],
      ['API tokens', 'api-tokens', () => page.getByRole('cell', { name: 'script', exact: true })],
    ] as const) {
      await page.getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: link }).waitFor();
      await ready().waitFor();
      await shot(page, name);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Windows' }).click();
    await page.getByRole('button', { name: 'batch one', exact: true }).waitFor();
    await shot(page, 'windows-phone');
    await context.close();
  });

  it('edits a fingerprint: draws a coherent device for the OS and language chosen, previews it, and shows a refusal next to its field', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await signIn(context, owner);
    await page.getByRole('button', { name: 'New window' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Mac FR');
    await page.getByLabel('Operating system').selectOption({ label: 'macOS' });
    await page.getByLabel('Language').selectOption('fr-FR');
    await page.getByRole('button', { name: 'Randomize' }).click();
    // The preview shows what pages will read: the generator's device for macOS and French.
    await page.locator('dl.preview').getByText('MacIntel').waitFor();
    await expect(page.locator('dl.preview').textContent()).resolves.toContain('fr-FR');
    await shot(page, 'fingerprint-editor');
    await page.getByLabel('Screen').fill('640x480');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    // The cloud's refusal appears next to the field it names, and nothing is created.
    await page.getByRole('alert').filter({ hasText: 'resolution must be at least 800x600' }).waitFor();
    expect((await cloud.post('/browser/list', { keyword: 'Mac FR' }, owner.token)).data.total).toBe(0);
    await page.getByLabel('Screen').fill('1440x900');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const created = (await cloud.post('/browser/list', { keyword: 'Mac FR' }, owner.token)).data.list[0];
    expect(created.browserFingerPrint).toMatchObject({
      platform: 'MacIntel',
      resolution: '1440x900',
      languages: expect.arrayContaining(['fr-FR']),
    });
    expect(created.browserFingerPrint.webglRenderer).toBeTruthy();
    await context.close();
  });

  it('a member with only browser:list sees no edit controls (and the API refuses them); once granted browser:update:single, their open page offers editing without a reload', async () => {
    const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'all' });
    const w = await createWindow(cloud, owner, { name: 'member view' });
    const memberContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const memberPage = await signIn(memberContext, member);
    await memberPage.getByRole('cell', { name: 'member view', exact: true }).waitFor();
    await expect(memberPage.getByRole('button', { name: 'New window' }).count()).resolves.toBe(0);
    await expect(memberPage.getByRole('button', { name: 'Edit member view' }).count()).resolves.toBe(0);
    await expect(memberPage.getByRole('link', { name: 'Members' }).count()).resolves.toBe(0);
    await memberPage.getByRole('checkbox', { name: 'Select member view' }).check();
    await expect(memberPage.getByRole('button', { name: 'Delete', exact: true }).count()).resolves.toBe(0);
    await shot(memberPage, 'member-read-only');
    const refused = await cloud.post('/browser/update', { id: w.id, name: 'hacked' }, member.token);
    expect(refused).toMatchObject({ code: 403, msg: expect.stringContaining('browser:update:single') });

    // The owner grants the permission in the members page.
    const ownerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const ownerPage = await signIn(ownerContext, owner);
    await ownerPage.getByRole('link', { name: 'Members' }).click();
    await ownerPage.getByRole('button', { name: `Edit ${member.email}` }).click();
    await ownerPage.getByRole('checkbox', { name: 'Edit a window' }).check();
    await ownerPage.getByRole('button', { name: 'Save', exact: true }).click();
    await ownerPage.getByRole('cell', { name: 'See windows, Edit a window', exact: true }).waitFor();

    // The member's open page follows, without a reload.
    await memberPage.getByRole('button', { name: 'Edit member view' }).click();
    await memberPage.getByLabel('Name', { exact: true }).fill('member edited');
    await memberPage.getByRole('button', { name: 'Save', exact: true }).click();
    await memberPage.getByRole('cell', { name: 'member edited', exact: true }).waitFor();
    expect((await detail(w.id)).name).toBe('member edited');
    await ownerContext.close();
    await memberContext.close();
  });

  it('an empty windows page offers a member only the next step they can take: a member given no group yet is told to ask for groups', async () => {
    const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'groups', groupIds: [] });
    const memberContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const memberPage = await signIn(memberContext, member);
    await memberPage
      .getByText(
        'You see the windows of the groups chosen for you, and none is chosen yet. Ask a team admin to give you groups on the Members page.',
      )
      .waitFor();
    expect(await memberPage.getByText(/Make one with New window/).count()).toBe(0);
    await memberContext.close();
  });

  it('editing only the remark keeps every proxy binding, and the form shows and changes each method', async () => {
    const saved = await cloud.post(
      '/proxy/add',
      { name: 'team DE', proxyType: 'socks5', host: '10.0.0.7', port: 1080, proxyUserName: 'u', proxyPassword: 'p' },
      owner.token,
    );
    expect(saved.code).toBe(0);
    const bound = [
      { name: 'bound saved', proxyMethod: 4, proxyId: saved.data.id },
      {
        name: 'bound api',
        proxyMethod: 3,
        proxyType: 'socks5',
        dynamicIpUrl: 'http://extract.test/get?n=1',
        isDynamicIpChangeIp: true,
        refreshProxyUrl: 'http://extract.test/refresh',
      },
      {
        name: 'bound custom',
        proxyMethod: 2,
        proxyType: 'http',
        host: 'proxy.test',
        port: 3128,
        proxyUserName: 'me',
        proxyPassword: 'secret',
        ipCheckService: 'ipinfo',
        tagIds: [],
      },
    ];
    const windows = [];
    for (const fields of bound) windows.push(await createWindow(cloud, owner, fields));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signIn(context, owner);
    const form = page.getByRole('dialog');
    const openForm = async (name: string) => {
      await page.getByRole('button', { name: `Edit ${name}`, exact: true }).click();
      await form.waitFor();
    };
    const saveForm = async () => {
      await form.getByRole('button', { name: 'Save', exact: true }).click();
      await form.waitFor({ state: 'detached' });
    };

    // The form shows each window's method with its own fields.
    const shows: [string, string, [string, string][]][] = [
      ['bound saved', '4', [['Saved proxy', String(saved.data.id)]]],
      [
        'bound api',
        '3',
        [
          ['Extraction URL', 'http://extract.test/get?n=1'],
          ['Type of extracted proxies', 'socks5'],
        ],
      ],
      [
        'bound custom',
        '2',
        [
          ['Host', 'proxy.test'],
          ['Port', '3128'],
          ['Type', 'http'],
        ],
      ],
    ];
    for (const [index, [name, method, fields]] of shows.entries()) {
      const before = await detail(windows[index].id);
      await openForm(name);
      expect(await form.getByLabel('Proxy method').inputValue()).toBe(method);
      for (const [label, value] of fields)
        // A select's accessible name ends with its chosen option: match the label's start.
        expect([label, await form.getByLabel(new RegExp(`^${label}`)).inputValue()]).toEqual([label, value]);
      if (name === 'bound api') expect(await form.getByLabel('New proxy at every open').isChecked()).toBe(true);
      await shot(page, `window-form-method-${method}`);
      await form.getByLabel('Remark').fill(`remark of ${name}`);
      await saveForm();
      // Nothing but the remark moved: the binding, the password, the IP check service.
      expect(await detail(windows[index].id)).toEqual({ ...before, remark: `remark of ${name}`, updatedAt: expect.any(String) });
    }
    const audit = await cloud.post('/audit/list', { kind: 'window.updated' }, owner.token);
    for (const w of windows) {
      expect(audit.data.list.filter((e: { windowId: number }) => e.windowId === w.id).map((e: { data: unknown }) => e.data)).toEqual([
        { fields: ['remark'] },
      ]);
    }

    // The binding changes only when the user changes it: the custom window onto the saved proxy, the saved one onto an API.
    await openForm('bound custom');
    await form.getByLabel('Proxy method').selectOption({ label: 'Saved team proxy' });
    await form.getByText('The stored proxy password is cleared').waitFor();
    await form.getByLabel('Saved proxy').selectOption({ label: 'team DE (socks5 10.0.0.7:1080)' });
    await saveForm();
    expect(await detail(windows[2].id)).toMatchObject({ proxyMethod: 4, proxyId: saved.data.id, ipCheckService: 'ipinfo' });
    await openForm('bound saved');
    await form.getByLabel('Proxy method').selectOption({ label: 'API extraction' });
    await form.getByLabel('Extraction URL').fill('http://extract.test/other');
    await saveForm();
    expect(await detail(windows[0].id)).toMatchObject({
      proxyMethod: 3,
      proxyId: null,
      dynamicIpUrl: 'http://extract.test/other',
      proxyType: 'http',
    });
    await page.getByRole('cell', { name: 'API extraction (http)' }).waitFor();
    await context.close();
  });

  it('shows the devices online and opens and closes windows on the one chosen, selected windows too', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, owner);
    const [w1, w2] = [await createWindow(cloud, owner, { name: 'device-one' }), await createWindow(cloud, owner, { name: 'device-two' })];
    await page.getByRole('button', { name: 'Open device-one' }).waitFor();
    // Where to start: the agent's own sign-in command, with the account's email.
    await page.getByText(`npm run agent -- login --email ${owner.email}`).waitFor();
    // A device comes online: its hello is a device.online event, and the page offers it.
    const device = await line(cloud.url, owner.token);
    await device.hello({ hostname: 'desk-console' });
    await page.getByLabel('Open on device').waitFor();
    expect(await page.getByLabel('Open on device').locator('option').allTextContents()).toEqual([
      `desk-console — ${owner.email} (0 running)`,
    ]);
    // The device answers as an agent does, with the window's status reported to the cloud.
    const answer = async (kind: string) => {
      const command = await device.next('command');
      expect(command.kind).toBe(kind);
      await cloud.post('/browser/launch', { uuid: command.window.uuid }, owner.token);
      if (kind === 'close') await cloud.post('/browser/close', { uuid: command.window.uuid, cookies: [] }, owner.token);
      device.send({ type: 'answer', commandId: command.commandId, code: 0, msg: 'success', data: { uuid: command.window.uuid } });
      return command.window.id as number;
    };
    await page.getByRole('button', { name: 'Open device-one' }).click();
    expect(await answer('open')).toBe(w1.id);
    await page.getByRole('status').filter({ hasText: 'Open on desk-console: done' }).waitFor();
    await page.getByRole('button', { name: 'Close device-one' }).waitFor();
    await shot(page, 'windows-open-on-device');
    await page.getByRole('button', { name: 'Close device-one' }).click();
    expect(await answer('close')).toBe(w1.id);
    await page.getByRole('button', { name: 'Open device-one' }).waitFor();
    // Selected closed windows have nothing to close.
    await page.getByLabel('Select device-one').check();
    expect(await page.getByRole('button', { name: 'Close 1 selected' }).isDisabled()).toBe(true);
    // Two selected: one open after the other.
    await page.getByLabel('Select device-two').check();
    await page.getByRole('button', { name: 'Open 2 selected' }).click();
    expect([await answer('open'), await answer('open')].sort()).toEqual([w1.id, w2.id].sort());
    await page.getByRole('status').filter({ hasText: 'Open on desk-console: done' }).waitFor();
    await page.getByRole('link', { name: 'Devices' }).click();
    const row = page.getByRole('row').filter({ hasText: 'desk-console' });
    await row.waitFor();
    expect(await row.textContent()).toContain('online');
    await shot(page, 'devices');
    device.close();
    await page.getByRole('row').filter({ hasText: 'offline' }).waitFor();
    await context.close();
  });

  it('signs out: the session ends and the refresh cookie is gone', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, owner);
    expect((await context.cookies()).map((c) => [c.name, c.httpOnly, c.sameSite, c.path])).toEqual([
      ['cos_console_refresh', true, 'Strict', '/auth/console'],
    ]);
    // A reload keeps the session through the cookie, without the password.
    await page.reload();
    await page.getByRole('heading', { name: 'Windows' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await shot(page, 'sign-in');
    expect(await context.cookies()).toEqual([]);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });
  it('open pages are signed out as the cloud ends the session (here: the member was removed), and say why, without a click', async () => {
    const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'all' });
    const context = await browser.newContext();
    const page = await signIn(context, member);
    // A second tab of the same browser: the cookie is one, and goes with the first refusal.
    const other = await context.newPage();
    await other.goto(`${cloud.url}/`);
    await other.getByRole('heading', { name: 'Windows' }).waitFor();
    expect(await cloud.post('/team/member/remove', { userId: member.userId }, owner.token)).toMatchObject({ code: 0 });
    // The cloud ends the member's event streams; asked again, it refuses the session and its cookie.
    for (const tab of [page, other])
      await tab
        .getByRole('status')
        .filter({ hasText: /^Signed out: .+\. Sign in again to go on\.$/ })
        .waitFor();
    const whys = await Promise.all([page, other].map((tab) => tab.getByRole('status').filter({ hasText: 'Signed out:' }).textContent()));
    expect(whys.some((why) => /^Signed out: your session has ended \(/.test(why ?? ''))).toBe(true);
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    // The cookie went with the session: the next visit is a plain sign-in, with nothing to explain.
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByText('Signed out:').count()).toBe(0);
    await context.close();
  });
  it('says why on the next visit when the cloud ended the session while no page was open, once, not a bare sign-in form', async () => {
    const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'all' });
    const context = await browser.newContext();
    await (await signIn(context, member)).close();
    expect(await cloud.post('/team/member/remove', { userId: member.userId }, owner.token)).toMatchObject({ code: 0 });
    const page = await context.newPage();
    await page.goto(`${cloud.url}/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: /^Signed out: your session has ended \(.+\)\. Sign in again to go on\.$/ })
      .waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByText('Signed out:').count()).toBe(0);
    // A browser that never signed in is not told it was signed out.
    const fresh = await (await browser.newContext()).newPage();
    await fresh.goto(`${cloud.url}/`);
    await fresh.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await fresh.getByText('Signed out:').count()).toBe(0);
    await fresh.context().close();
    await context.close();
  });
  it('a reload asks once for the session (whose answer says who is signed in) and the first rows, and draws the rows with the page', async () => {
    const context = await browser.newContext();
    await createWindow(cloud, owner, { name: 'First screen' });
    const page = await signIn(context, owner);
    await page.getByRole('cell', { name: 'First screen', exact: true }).waitFor();
    // The page's answer already says it is loading, and names the console's script and stylesheet
    // beside its small entry, so the browser fetches them while the entry starts the calls.
    const html = await (await fetch(`${cloud.url}/`)).text();
    expect(html).toContain('<div id="root"><p class="status">Loading…</p></div>');
    const entry = /<script type="module"[^>]* src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const preloaded = [...html.matchAll(/<link rel="modulepreload"[^>]* href="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    const entryCode = await (await fetch(`${cloud.url}${entry}`)).text();
    expect(entryCode.length).toBeLessThan(12_000);
    expect(preloaded.length).toBeGreaterThan(0);
    for (const chunk of preloaded) expect(entryCode).toContain(chunk.replace(/^\//, ''));

    const calls: string[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (request.method() === 'POST') calls.push(path);
    });
    const counted = async (on: Page, at: string, heading: string) => {
      calls.length = 0;
      await on.goto(`${cloud.url}/${at}`);
      await on.reload();
      await on.getByRole('heading', { name: heading, level: 1 }).waitFor();
      if (heading === 'Windows') await on.getByRole('cell', { name: 'First screen', exact: true }).waitFor();
      else await on.getByRole('button', { name: 'Sign out' }).waitFor();
      await on.waitForTimeout(500);
      const count = (path: string) => calls.filter((c) => c === path).length;
      return { at, refresh: count('/auth/console/refresh'), me: count('/auth/me'), list: count('/browser/list') };
    };
    // The refresh's answer says who is signed in: /auth/me is not asked.
    expect(await counted(page, '#/windows', 'Windows')).toEqual({ at: '#/windows', refresh: 1, me: 0, list: 1 });
    expect(await counted(page, '#/devices', 'Devices')).toEqual({ at: '#/devices', refresh: 1, me: 0, list: 0 });
    // A member who may not list windows lands on another page, and their reload asks for no rows the cloud would refuse.
    const member = await addMember(cloud, owner, { permissions: ['task:manage'], scope: 'all' });
    const theirs = await browser.newContext();
    const memberPage = await signInConsole(theirs, cloud.url, member, 'Devices');
    memberPage.on('request', (request) => request.method() === 'POST' && calls.push(new URL(request.url()).pathname));
    expect(await counted(memberPage, '#/', 'Devices')).toEqual({ at: '#/', refresh: 1, me: 0, list: 0 });
    expect(await memberPage.getByRole('alert').count()).toBe(0);
    await theirs.close();
    await context.close();
  });
  it('never draws the first rows one session asked for in the next: who signs in after a failed start sees only their windows', async () => {
    const groupId = await createGroup(cloud, owner, 'Only theirs');
    await createWindow(cloud, owner, { name: 'Theirs to see', groupId });
    await createWindow(cloud, owner, { name: 'Owner only' });
    const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'groups', groupIds: [groupId] });
    const context = await browser.newContext();
    const page = await signIn(context, owner);
    await page.getByRole('cell', { name: 'Owner only', exact: true }).waitFor();
    // The owner's page starts again and its first rows are asked for, but who is signed in does not
    // come (the refresh could not say, and /auth/me fails): the sign-in page shows, and the member signs in on it.
    await refreshWithoutMe(context);
    await answerOnce(context, '**/auth/me', { code: 503, msg: 'Try again', data: null });
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('cell', { name: 'Theirs to see', exact: true }).waitFor();
    expect(await page.getByRole('cell', { name: 'Owner only', exact: true }).count()).toBe(0);
    expect(await page.getByText('1 window', { exact: true }).count()).toBe(1);
    await context.close();
  });
  it('stays signed in through reloads pressed twice and tabs reloaded together (a browser restoring its tabs)', async () => {
    const context = await browser.newContext();
    const first = await signIn(context, owner);
    const second = await context.newPage();
    await second.goto(`${cloud.url}/`);
    await second.getByRole('heading', { name: 'Windows', level: 1 }).waitFor();
    const signedIn = (page: Page) =>
      Promise.race([
        page
          .getByRole('heading', { name: 'Windows', level: 1 })
          .waitFor()
          .then(() => 'signed in'),
        page
          .getByRole('button', { name: 'Sign in' })
          .waitFor()
          .then(() => 'signed out'),
      ]);
    const outcomes: string[] = [];
    const reloadFromPage = async (page: Page) => {
      // Between two documents the page takes no script for a moment: asked again until one takes it.
      for (let i = 0; i < 20; i++) {
        if (
          await page
            .evaluate(() => location.reload())
            .then(
              () => true,
              () => false,
            )
        )
          return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    for (let round = 0; round < 4; round++) {
      // F5 twice: the second reload cuts off the first one's refresh, answered but never read.
      await reloadFromPage(first);
      await new Promise((resolve) => setTimeout(resolve, 100 + round * 40));
      await reloadFromPage(first);
      await first.waitForLoadState('load');
      outcomes.push(`twice ${round}: ${await signedIn(first)}`);
      await Promise.all([first.reload(), second.reload()]);
      outcomes.push(`together ${round}: ${await signedIn(first)}, ${await signedIn(second)}`);
    }
    expect(outcomes).toEqual([0, 1, 2, 3].flatMap((round) => [`twice ${round}: signed in`, `together ${round}: signed in, signed in`]));
    await context.close();
  });

  it('says so when signing out fails, and stays signed in until the cloud has ended the session', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, owner);
    await context.route('**/auth/console/logout', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('alert').filter({ hasText: 'Sign out failed: the cloud could not be reached' }).waitFor();
    await page.getByRole('heading', { name: 'Windows', level: 1 }).waitFor();
    await context.unroute('**/auth/console/logout');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it('a tab whose browser signed in as someone else in another tab signs out, never acting in their name', async () => {
    const other = await registerOwner(cloud);
    const context = await browser.newContext();
    const mine = await signIn(context, owner);
    await mine.getByRole('button', { name: 'New window', exact: true }).click();
    await mine.getByRole('dialog').getByLabel('Name', { exact: true }).fill('Not in their team');
    // Another tab of the same browser signs out and in as another team's owner: the cookie is theirs now.
    const theirs = await context.newPage();
    await theirs.goto(`${cloud.url}/`);
    await theirs.getByRole('button', { name: 'Sign out' }).click();
    await theirs.getByLabel('Email').fill(other.email);
    await theirs.getByLabel('Password').fill(other.password);
    await theirs.getByRole('button', { name: 'Sign in' }).click();
    await theirs.getByText(`${other.email} (owner`).waitFor();
    // The first tab's access token runs out as it saves a window: the cloud answers 401 once.
    await answerOnce(mine, '**/browser/update', { code: 401, msg: 'Token expired', data: {} });
    // The page may learn of it first through its event stream (refused, then refreshed): the form is gone then.
    await mine
      .getByRole('dialog')
      .getByRole('button', { name: 'Create', exact: true })
      .click({ timeout: 5_000 })
      .catch(() => undefined);
    await mine.getByRole('button', { name: 'Sign in' }).waitFor();
    expect((await cloud.post('/browser/list', { keyword: 'Not in their team' }, other.token)).data.total).toBe(0);
    expect((await cloud.post('/browser/list', { keyword: 'Not in their team' }, owner.token)).data.total).toBe(0);
    // The other tab goes on as its own account.
    await theirs.reload();
    await theirs.getByText(`${other.email} (owner`).waitFor();
    await context.close();
  });
  it("a page whose code cannot be fetched (an earlier build's, after an update) says so and offers a reload; the rest goes on", async () => {
    const context = await browser.newContext();
    const page = await signIn(context, owner);
    const gone = '**/assets/audit-*.js';
    await context.route(gone, (route) =>
      route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ code: 404, msg: 'Not found', data: {} }) }),
    );
    await page.getByRole('link', { name: 'Audit log' }).click();
    const failed = page.getByRole('alert').filter({ hasText: 'This page could not be shown' });
    await failed.waitFor();
    await page.getByRole('link', { name: 'Windows', exact: true }).click();
    await page.getByRole('button', { name: 'New window', exact: true }).waitFor();
    await context.unroute(gone);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await failed.getByRole('button', { name: 'Reload' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByRole('table').first().waitFor();
    expect(await failed.count()).toBe(0);
    await context.close();
  });
  it('says when the cloud cannot be reached, and reads the page again once it answers', async () => {
    const context = await browser.newContext();
    // Every try to open the event stream is refused, as while the cloud is stopped.
    await context.route('**/events', (route) => route.abort('connectionrefused'));
    const page = await signIn(context, owner);
    const notice = page.getByRole('status').filter({ hasText: 'The cloud cannot be reached' });
    await notice.waitFor({ timeout: 15_000 });
    // A change asked for meanwhile says so in words, not in the browser's ("Failed to fetch").
    await context.route('**/browser/update', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'New window' }).click();
    await page.getByLabel('Name', { exact: true }).fill('While away');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByText('Create window failed: the cloud cannot be reached; try again once it answers').first().waitFor();
    await page.keyboard.press('Escape');
    await context.unroute('**/browser/update');
    const lists: string[] = [];
    page.on('request', (request) => request.url().endsWith('/browser/list') && lists.push(request.url()));
    await context.unroute('**/events');
    await notice.waitFor({ state: 'detached', timeout: 15_000 });
    // What changed while it could not be reached is read again.
    for (let i = 0; i < 100 && lists.length === 0; i++) await page.waitForTimeout(100);
    expect(lists.length).toBeGreaterThan(0);
    await context.close();
  });
});

// A cloud of its own, after the one above has stopped: Nest's Passport strategies are process-wide,
// so two clouds in one test process must not overlap.
describe('a console whose cloud takes no new teams', () => {
  it('says to ask for an invitation, and creates nothing', async () => {
    const closed = await startCloud({ listen: true, env: { CONSOLE_DIR: ensureConsoleBuilt(), REGISTRATION_ENABLED: 'false' } });
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${closed.url}/`);
      await page.getByRole('button', { name: 'Create a team' }).click();
      await page.getByLabel('Email').fill('late@example.com');
      await page.getByLabel('Password').fill('late-password');
      await page.getByRole('button', { name: 'Create team and sign in' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: "This cloud takes no new teams: ask your team's owner for an invitation link." })
        .waitFor();
      expect((await closed.db.query(`SELECT count(*)::int AS n FROM users`))[0].n).toBe(0);
    } finally {
      await browser.close();
      await closed.close();
    }
  });
});
