import { existsSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { findFirefox, firefoxMajorOf } from '@cos/server-common';
import * as yauzl from 'yauzl';
import { readProfileCookies } from '../../apps/local-agent/src/browser/cookie-reader';
import { isAlive } from '../../apps/local-agent/src/browser/firefox-process';
import { AgentCloud } from '../../apps/local-agent/src/cloud/agent-cloud';
import { AgentHarness, startAgent } from '../support/agent-app';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createGroup, createWindow, registerOwner } from '../support/factories';
import { attach, firefoxPids, until } from '../support/firefox';
import { startHttpProxy } from '../support/proxies';
import { startRecordingRelay } from '../support/recording-relay';
import { startTestSite, TestSite } from '../support/test-site';

jest.setTimeout(180_000);

const major = firefoxMajorOf(findFirefox()!)!;
const linuxFirefox = `Mozilla/5.0 (X11; Linux x86_64; rv:${major}.0) Gecko/20100101 Firefox/${major}.0`;

async function zipEntries(path: string): Promise<string[]> {
  const zip = await new Promise<yauzl.ZipFile>((ok, fail) => yauzl.open(path, { lazyEntries: true }, (e, z) => (e ? fail(e) : ok(z))));
  const names: string[] = [];
  await new Promise<void>((ok, fail) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      names.push(entry.fileName);
      zip.readEntry();
    });
    zip.on('end', ok);
    zip.on('error', fail);
    zip.readEntry();
  });
  return names;
}

describe('local agent with a real Firefox and a real cloud', () => {
  let cloud: CloudHarness;
  let agent: AgentHarness;
  let owner: Account;
  let site: TestSite;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: { WINDOW_LEASE_SECONDS: '30' } });
    owner = await registerOwner(cloud);
    site = await startTestSite();
    agent = await startAgent({ cloudUrl: cloud.url, env: { AGENT_PROXY_PROBE_TARGET: `127.0.0.1:${new URL(site.url).port}` } });
    await agent.login(owner.email, owner.password);
  });
  afterAll(async () => {
    await agent.post('/browser/close/all').catch(() => undefined);
    await agent.close();
    await site.close();
    await cloud.close();
  });

  describe('refusals', () => {
    it('answers /health without a token, everything else needs the local token', async () => {
      const health = await fetch(`${agent.url}/health`).then((r) => r.json());
      expect(health).toEqual({
        code: 0,
        msg: 'success',
        data: {
          status: 'ok',
          loggedIn: true,
          version: '0.1.0',
          running: expect.any(Number),
          deviceLine: expect.stringMatching(/^(signed-out|connecting|online|waiting)$/),
        },
      });
      expect(await agent.post('/browser/pids', {}, { token: null })).toEqual({ code: 401, msg: 'Invalid local access token', data: {} });
      expect((await agent.post('/browser/pids', {}, { token: 'wrong' })).code).toBe(401);
      expect((await agent.post('/browser/pids')).code).toBe(0);
    });

    it('refuses a Host header other than its own loopback address (DNS rebinding)', async () => {
      const post = (headers: Record<string, string>) =>
        new Promise<{ status: number; body: string; cors?: string }>((resolve, reject) => {
          const req = httpRequest(`${agent.url}/browser/pids`, {
            method: 'POST',
            headers: { Host: 'evil.example:54345', 'X-Cos-Local-Token': agent.token, 'Content-Type': 'application/json', ...headers },
          });
          req.on('response', (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cors: res.headers['access-control-allow-origin'] }));
          });
          req.on('error', reject);
          req.end('{}');
        });
      const answer = await post({});
      expect(JSON.parse(answer.body)).toMatchObject({ code: 403, msg: expect.stringContaining('not allowed') });
      expect(answer.cors).toBeUndefined();
      // The rebinding page itself sends its Origin: it gets no answer at all.
      await expect(post({ Origin: 'http://evil.example' })).rejects.toThrow('socket hang up');
    });

    it('answers 401 for every call while not logged in', async () => {
      const loggedOut = await startAgent({ cloudUrl: cloud.url });
      try {
        expect((await fetch(`${loggedOut.url}/health`).then((r) => r.json())).data.loggedIn).toBe(false);
        for (const path of ['/browser/open', '/browser/pids', '/browser/list']) {
          expect(await loggedOut.post(path, { uuid: '550e8400-e29b-41d4-a716-446655440000' })).toMatchObject({
            code: 401,
            msg: expect.stringContaining('not logged in'),
          });
        }
      } finally {
        await loggedOut.close();
      }
    });

    it("gives every bad open and close 211 (or the cloud's 404) and starts nothing", async () => {
      const w = await createWindow(cloud, owner);
      const other = await createWindow(cloud, owner);
      const cases: [string, unknown, number, string][] = [
        ['/browser/open', {}, 211, 'is required'],
        ['/browser/open', { uuid: [w.uuid, other.uuid] }, 211, 'one window'],
        ['/browser/open', { uuid: w.uuid, browserUuid: other.uuid }, 211, 'only one window per call'],
        ['/browser/open', { id: w.id, browser_id: other.id }, 211, 'only one window per call'],
        ['/browser/open', { ids: [w.id] }, 211, 'property ids should not exist'],
        ['/browser/open', { uuid: 'not-a-uuid' }, 211, 'uuid must be a window UUID'],
        ['/browser/open', { id: -4 }, 211, 'id must be a positive integer'],
        ['/browser/open', { id: '0x1' }, 211, 'id must be a positive integer'],
        ['/browser/open', { browserId: '1e3' }, 211, 'browserId must be a positive integer'],
        ['/browser/open', { uuid: w.uuid, windowRef: { id: other.id } }, 211, 'property windowRef should not exist'],
        // forwarded to the cloud, which answers alike
        ['/browser/delete', { id: '0x1' }, 211, 'id must be a positive integer'],
        ['/browser/delete', { browserId: '1e3' }, 211, 'browserId must be a positive integer'],
        ['/browser/open', '{"uuid":', 211, 'Malformed JSON'],
        ['/browser/open', { uuid: '550e8400-e29b-41d4-a716-446655440000' }, 404, 'not found'],
        ['/browser/close', { config_uuid: [w.uuid] }, 211, 'one window'],
        ['/browser/close', { uuid: w.uuid }, 404, 'not open on this device'],
      ];
      for (const [path, body, code, msg] of cases) {
        expect({ path, body, answer: await agent.post(path, body) }).toEqual({
          path,
          body,
          answer: { code, msg: expect.stringContaining(msg), data: {} },
        });
      }
      expect((await agent.post('/browser/pids')).data.list).toEqual([]);
      expect(firefoxPids(agent.dataDir)).toEqual([]);
      expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus).toBe('closed');
    });

    it('forwards cloud calls with the Local API notes', async () => {
      expect(await agent.post('/browser/update', { name: 'x' })).toEqual({
        code: 211,
        msg: 'Configuration must be a JSON object',
        data: {},
      });
      expect(await agent.post('/browser/update', { name: 'x', config: {} })).toEqual({
        code: 211,
        msg: 'Configuration must be a JSON object',
        data: {},
      });
      const created = await agent.post('/browser/update', { name: 'via agent', config: { syncHistory: false } });
      expect(created).toMatchObject({ code: 0, data: { name: 'via agent', config: { syncHistory: false } } });
      expect(await agent.post('/browser/detail', { id: created.data.id })).toEqual({ code: 211, msg: 'UUID invalid', data: {} });
      expect(await agent.post('/browser/detail', {})).toEqual({ code: 211, msg: 'UUID invalid', data: {} });
      expect((await agent.post('/browser/detail', { uuid: created.data.uuid })).data.name).toBe('via agent');
      expect((await agent.post('/browser/update/partial', { ids: [created.data.id], remark: 'forwarded' })).code).toBe(0);
      expect((await agent.post('/browser/list', { keyword: 'forwarded' })).data.total).toBe(1);
      expect((await agent.post('/browser/remark/update', { ids: [created.data.id], remark: 'r2' })).code).toBe(0);
      expect((await agent.post('/browser/delete', { id: created.data.id })).code).toBe(0);
      expect((await agent.post('/browser/nothing', {})).code).toBe(404);
    });
  });

  it('opens with the fingerprint, syncs cookies and storage through close, and restores them', async () => {
    const w = await createWindow(cloud, owner, {
      name: 'identity 1',
      browserFingerPrint: {
        coreVersion: String(major),
        os: 'Win32',
        languages: ['de-DE', 'de', 'en'],
        timezone: 'Asia/Tokyo',
        resolution: '1920x1080',
        hardwareConcurrency: 1,
        doNotTrack: true,
      },
    });
    const opened = await agent.post('/browser/open', { browser_uuid: w.uuid });
    expect(opened).toMatchObject({
      code: 0,
      msg: 'Browser opened',
      data: {
        id: w.id,
        browserId: w.id,
        uuid: w.uuid,
        pid: expect.any(Number),
        alreadyStarted: false,
        profileDir: join(agent.dataDir, 'browser-cache', 'firefox-profiles', w.uuid),
        configPath: join(agent.dataDir, 'firefox-launch-configs', `${w.uuid}.json`),
        wsEndpoint: `ws://127.0.0.1:${new URL(opened.data.wsEndpoint as string).port}/session/${agent.token}`,
        openedStatus: { afterStart: { openStatus: 'opened' } },
      },
    });
    expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data).toMatchObject({ openStatus: 'opened' });
    expect((await agent.post('/browser/pids')).data.list).toEqual([{ id: w.id, uuid: w.uuid, pid: opened.data.pid }]);
    expect((await agent.post('/browser/ports')).data.list).toEqual([
      { id: w.id, uuid: w.uuid, port: expect.any(Number), wsEndpoint: opened.data.wsEndpoint },
    ]);

    // the user's own automation attaches to the window
    let browser: Browser = await attach(opened.data.wsEndpoint);
    let page = await browser.newPage();
    await page.goto(`${site.url}/fingerprint`);
    const seen = await page.evaluate(() => ({
      userAgent: navigator.userAgent,
      platform: navigator.platform,
      languages: navigator.languages,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      screen: [screen.width, screen.height],
      hardwareConcurrency: navigator.hardwareConcurrency,
      doNotTrack: navigator.doNotTrack,
      webdriver: navigator.webdriver,
      beforeLoad: (window as unknown as { seenBeforeLoad: unknown }).seenBeforeLoad,
      frame: (document.querySelector('iframe') as HTMLIFrameElement).contentWindow!.navigator.hardwareConcurrency,
    }));
    expect(seen).toEqual({
      userAgent: `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${major}.0) Gecko/20100101 Firefox/${major}.0`,
      platform: 'Win32',
      languages: ['de-DE', 'de', 'en'],
      timezone: 'Asia/Tokyo',
      screen: [1920, 1080],
      hardwareConcurrency: 1,
      doNotTrack: '1',
      webdriver: false,
      beforeLoad: { hardwareConcurrency: 1, webdriver: false },
      frame: 1,
    });
    const echo = site.seen.find((r) => r.path === '/fingerprint')!;
    expect(echo.headers['user-agent']).toBe(seen.userAgent);
    expect(echo.headers['accept-language']).toMatch(/^de-DE,de;q=0\.\d,en;q=0\.\d/);

    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => (window as unknown as { stored?: boolean }).stored === true);
    await browser.disconnect();

    // What the browser holds right now, session cookies included (not the profile's file on disk).
    const running = await agent.post('/browser/cookies', { uuid: w.uuid });
    expect(running.code).toBe(0);
    expect(running.data.cookies.map((c: { name: string }) => c.name).sort()).toEqual(['js_cookie', 'server_cookie', 'session_cookie']);

    const closed = await agent.post('/browser/close', { id: w.id });
    expect(closed).toMatchObject({
      code: 0,
      msg: 'Browser closed',
      data: {
        uuid: w.uuid,
        close: {
          error: 0,
          killed: false,
          profileZipPath: join(agent.dataDir, 'uploaded-profile-zips', `${w.uuid}.zip`),
          profileZipName: `${w.uuid}.zip`,
          profileZipSize: expect.any(Number),
        },
        cookies: { synced: true },
        openedStatus: { beforeClose: { openStatus: 'opened' }, afterClose: { openStatus: 'closed' } },
      },
    });
    expect(isAlive(opened.data.pid)).toBe(false);
    const entries = await zipEntries(closed.data.close.profileZipPath);
    expect(entries).toEqual(expect.arrayContaining(['cookies.sqlite', 'places.sqlite']));
    expect(entries.some((e) => e.startsWith('storage/default/http+++127.0.0.1') && e.includes('/ls/'))).toBe(true);
    expect(entries.some((e) => e.startsWith('storage/default/http+++127.0.0.1') && e.includes('/idb/'))).toBe(true);
    expect(entries.filter((e) => /cache2|startupCache|(^|\/)(lock|\.parentlock)$|-shm$/.test(e))).toEqual([]);
    expect(entries).not.toContain('prefs.js');

    const launch = await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'inspect' }, owner.token);
    const names = launch.data.cookies.map((c: { name: string }) => c.name).sort();
    expect(names).toEqual(['js_cookie', 'server_cookie', 'session_cookie']);
    expect(launch.data.cookies.find((c: { name: string }) => c.name === 'server_cookie')).toMatchObject({
      value: 'from-server',
      httpOnly: true,
      domain: '127.0.0.1',
    });
    await cloud.post('/browser/open-status/update', { uuid: w.uuid, deviceId: 'inspect', status: 'closed' }, owner.token);

    // the profile folder is gone: the zip brings back local storage and IndexedDB
    rmSync(join(agent.dataDir, 'browser-cache', 'firefox-profiles', w.uuid), { recursive: true, force: true });
    const reopened = await agent.post('/browser/open', { uuid: w.uuid });
    expect(reopened.code).toBe(0);
    browser = await attach(reopened.data.wsEndpoint);
    page = await browser.newPage();
    await page.goto(`${site.url}/other`);
    expect(
      await page.evaluate(
        () =>
          new Promise((resolve) => {
            const open = indexedDB.open('cos-test', 1);
            open.onsuccess = () => {
              const get = open.result.transaction('kv').objectStore('kv').get('idb_key');
              get.onsuccess = () =>
                resolve({ ls: localStorage.getItem('ls_key'), idb: get.result, cookies: document.cookie.split('; ').sort() });
            };
          }),
      ),
    ).toEqual({ ls: 'ls_value', idb: 'idb_value', cookies: ['js_cookie=from-script', 'session_cookie=for-this-session'] });
    await browser.disconnect();
    await agent.post('/browser/close', { uuid: w.uuid });

    // profile and zip both gone: the roaming profile comes back from the cloud, local storage included
    rmSync(join(agent.dataDir, 'browser-cache', 'firefox-profiles', w.uuid), { recursive: true, force: true });
    rmSync(join(agent.dataDir, 'uploaded-profile-zips', `${w.uuid}.zip`), { force: true });
    const fresh = await agent.post('/browser/open', { uuid: w.uuid });
    browser = await attach(fresh.data.wsEndpoint);
    page = await browser.newPage();
    await page.goto(`${site.url}/other`);
    expect(fresh.data.profileSync).toMatchObject({ pulled: true, version: expect.any(Number) });
    expect(await page.evaluate(() => ({ cookies: document.cookie.split('; ').sort(), ls: localStorage.getItem('ls_key') }))).toEqual({
      cookies: ['js_cookie=from-script', 'session_cookie=for-this-session'],
      ls: 'ls_value',
    });
    await page.goto(`${site.url}/echo`);
    expect(site.seen.at(-1)!.headers.cookie).toContain('server_cookie=from-server');
    await browser.disconnect();
    await agent.post('/browser/close', { uuid: w.uuid });
  });

  it("sends a window's traffic through its proxy, and straight again once the proxy is removed", async () => {
    const proxy = await startHttpProxy();
    try {
      const w = await createWindow(cloud, owner, { proxyMethod: 2, proxyType: 'http', host: '127.0.0.1', port: proxy.port });
      let opened = await agent.post('/browser/open', { uuid: w.uuid });
      expect({ code: opened.code, msg: opened.msg }).toEqual({ code: 0, msg: 'Browser opened' });
      let browser = await attach(opened.data.wsEndpoint);
      let page = await browser.newPage();
      await page.goto(`${site.url}/echo`);
      expect(proxy.forwarded).toContain(`${site.url}/echo`);
      await browser.disconnect();
      await agent.post('/browser/close', { uuid: w.uuid });

      await cloud.post('/browser/proxy/update', { ids: [w.id], proxyMethod: 2, proxyType: 'direct' }, owner.token);
      const before = proxy.forwarded.length;
      opened = await agent.post('/browser/open', { uuid: w.uuid });
      browser = await attach(opened.data.wsEndpoint);
      page = await browser.newPage();
      await page.goto(`${site.url}/echo`);
      expect(site.seen.at(-1)!.path).toBe('/echo');
      expect(proxy.forwarded.length).toBe(before);
      await browser.disconnect();
      await agent.post('/browser/close', { uuid: w.uuid });
    } finally {
      await proxy.close();
    }
  });

  it('starts exactly one Firefox for concurrent opens of one window', async () => {
    const w = await createWindow(cloud, owner, {
      browserFingerPrint: { userAgent: linuxFirefox, hardwareConcurrency: 1, webrtc: 'disabled' },
    });
    const answers = await Promise.all([1, 2, 3].map(() => agent.post('/browser/open', { uuid: w.uuid })));
    expect(answers.map((a) => a.code)).toEqual([0, 0, 0]);
    expect(new Set(answers.map((a) => a.data.pid)).size).toBe(1);
    expect(answers.filter((a) => a.data.alreadyStarted).length).toBe(2);
    const again = await agent.post('/browser/open', { id: w.id });
    expect(again.data).toMatchObject({ alreadyStarted: true, pid: answers[0].data.pid });
    expect(firefoxPids(join(agent.dataDir, 'browser-cache', 'firefox-profiles', w.uuid))).toHaveLength(1);
    // the preference path of the fingerprint: a lowered core count, WebRTC off, the given user agent
    const browser = await attach(again.data.wsEndpoint);
    const page = await browser.newPage();
    await page.goto(`${site.url}/other`);
    expect(
      await page.evaluate(() => ({ ua: navigator.userAgent, cores: navigator.hardwareConcurrency, rtc: typeof RTCPeerConnection })),
    ).toEqual({
      ua: linuxFirefox,
      cores: 1,
      rtc: 'undefined',
    });
    await browser.disconnect();
    await agent.post('/browser/close', { uuid: w.uuid });
  });

  it('finishes the close steps by itself when Firefox crashes', async () => {
    const w = await createWindow(cloud, owner);
    const opened = await agent.post('/browser/open', { uuid: w.uuid });
    const browser = await attach(opened.data.wsEndpoint);
    const page = await browser.newPage();
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => (window as unknown as { stored?: boolean }).stored === true);
    await browser.disconnect();
    // Firefox writes cookies behind; the crash comes once the site's cookies are in the profile
    const profileDir = join(agent.dataDir, 'browser-cache', 'firefox-profiles', w.uuid);
    await until('Firefox to write the cookies to its profile', () => {
      const names = readProfileCookies(profileDir).map((c) => c.name);
      return Promise.resolve(names.includes('server_cookie') && names.includes('js_cookie'));
    });
    process.kill(opened.data.pid, 'SIGKILL');
    await until(
      'the cloud to see the window closed',
      async () => (await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus === 'closed',
    );
    expect(existsSync(join(agent.dataDir, 'uploaded-profile-zips', `${w.uuid}.zip`))).toBe(true);
    expect((await agent.post('/browser/pids')).data.list.find((p: { uuid: string }) => p.uuid === w.uuid)).toBeUndefined();
    const launch = await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'inspect' }, owner.token);
    // persistent cookies survive a crash; session cookies die with it, as in Firefox itself
    expect(launch.data.cookies.map((c: { name: string }) => c.name).sort()).toEqual(['js_cookie', 'server_cookie']);
    await cloud.post('/browser/open-status/update', { uuid: w.uuid, deviceId: 'inspect', status: 'closed' }, owner.token);
  });

  it('finishes the close steps when the user closes Firefox by hand', async () => {
    const w = await createWindow(cloud, owner);
    const opened = await agent.post('/browser/open', { uuid: w.uuid });
    const browser = await attach(opened.data.wsEndpoint);
    const page = await browser.newPage();
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => (window as unknown as { stored?: boolean }).stored === true);
    // The person quits Firefox (a script's browser.close would end only its own session). Firefox
    // writes cookies behind, so the quit comes once the site's cookies are in the profile.
    const profileDir = join(agent.dataDir, 'browser-cache', 'firefox-profiles', w.uuid);
    await until('Firefox to write the cookies to its profile', () => {
      const names = readProfileCookies(profileDir).map((c) => c.name);
      return Promise.resolve(names.includes('server_cookie') && names.includes('js_cookie'));
    });
    await browser.disconnect();
    process.kill(opened.data.pid, 'SIGTERM');
    await until(
      'the cloud to see the window closed',
      async () => (await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus === 'closed',
    );
    const launch = await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'inspect' }, owner.token);
    expect(launch.data.cookies.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['js_cookie', 'server_cookie']));
    expect(launch.data.profile).toMatchObject({ zipName: `${w.uuid}.zip` });
    await cloud.post('/browser/open-status/update', { uuid: w.uuid, deviceId: 'inspect', status: 'closed' }, owner.token);
  });

  it('opens a window with one cloud call before Firefox starts and one after; by id alone, one lookup more', async () => {
    const relay = await startRecordingRelay(cloud.url);
    // Without the device line: only the open's own cloud calls are counted.
    const counted = await startAgent({ cloudUrl: relay.url, env: { AGENT_DEVICE_LINE: '0' } });
    try {
      await counted.login(owner.email, owner.password);
      expect((await fetch(`${counted.url}/health`).then((r) => r.json())).data.deviceLine).toBe('off');
      for (const [ref, calls] of [
        ['uuid', ['/browser/launch', '/browser/open-status/update']],
        ['id', ['/browser/detail', '/browser/launch', '/browser/open-status/update']],
      ] as const) {
        const w = await createWindow(cloud, owner);
        relay.paths.length = 0;
        const opened = await counted.post('/browser/open', ref === 'uuid' ? { uuid: w.uuid } : { id: w.id });
        expect([ref, opened.code, relay.paths]).toEqual([ref, 0, calls]);
        expect(opened.data.openedStatus).toEqual({
          beforeStart: { openStatus: 'closed', openDeviceId: null },
          afterStart: { openStatus: 'opened', openDeviceId: expect.stringMatching(/^dev-/) },
        });
        expect(await counted.post('/browser/close', { uuid: w.uuid })).toMatchObject({ code: 0 });
      }
    } finally {
      await counted.close();
      await relay.close();
    }
  });

  it('finds a window by id and uuid together only when both name it: close as open and every other call', async () => {
    const w = await createWindow(cloud, owner);
    const other = await createWindow(cloud, owner);
    const opened = await agent.post('/browser/open', { uuid: w.uuid });
    expect(opened.code).toBe(0);
    const mismatch = { uuid: w.uuid, id: other.id };
    for (const path of ['/browser/close', '/browser/open']) {
      expect([path, await agent.post(path, mismatch)]).toEqual([path, { code: 404, msg: `Window ${w.uuid} not found`, data: {} }]);
    }
    expect(await agent.post('/browser/eval', { ...mismatch, code: '1' })).toEqual({ code: 404, msg: 'Browser not running', data: {} });
    expect(isAlive(opened.data.pid)).toBe(true);
    expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus).toBe('opened');
    expect(await agent.post('/browser/close', { id: w.id, uuid: w.uuid })).toMatchObject({ code: 0, data: { uuid: w.uuid } });
    expect((await agent.post('/browser/pids')).data.list).not.toContainEqual(expect.objectContaining({ uuid: w.uuid }));
  });

  it('refuses a window open on another device, and one in the recycle bin', async () => {
    const w = await createWindow(cloud, owner);
    await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'other-desk' }, owner.token);
    expect(await agent.post('/browser/open', { uuid: w.uuid })).toEqual({
      code: 409,
      msg: `Window ${w.uuid} is open on another device`,
      data: {},
    });
    const binned = await createWindow(cloud, owner);
    await cloud.post('/browser/delete', { id: binned.id }, owner.token);
    expect(await agent.post('/browser/open', { uuid: binned.uuid })).toEqual({
      code: 409,
      msg: `Window ${binned.uuid} is in the recycle bin and cannot be opened`,
      data: {},
    });
    expect(await agent.post('/browser/open', { id: binned.id })).toEqual({
      code: 409,
      msg: `Window ${binned.id} is in the recycle bin and cannot be opened`,
      data: {},
    });
    expect(await cloud.db.query(`SELECT open_status, open_device_id FROM windows WHERE id = $1`, [binned.id])).toEqual([
      { open_status: 'closed', open_device_id: null },
    ]);
    expect(firefoxPids(agent.dataDir)).toEqual([]);
  });

  it('opens by id alone no window outside the scope, in the recycle bin or not: 404 as for an unknown id', async () => {
    const mine = await createGroup(cloud, owner);
    const theirs = await createGroup(cloud, owner);
    const member = await addMember(cloud, owner, { permissions: ['browser:open', 'browser:list'], scope: 'groups', groupIds: [mine] });
    const outside = await createWindow(cloud, owner, { groupId: theirs });
    const binnedOutside = await createWindow(cloud, owner, { groupId: theirs });
    const binnedInside = await createWindow(cloud, owner, { groupId: mine });
    await cloud.post('/browser/delete/ids', { ids: [binnedOutside.id, binnedInside.id] }, owner.token);
    const rows = () =>
      cloud.db.query(`SELECT id, open_status, open_device_id, deleted_at FROM windows WHERE id = ANY($1) ORDER BY id`, [
        [outside.id, binnedOutside.id, binnedInside.id],
      ]);
    const memberAgent = await startAgent({ cloudUrl: cloud.url });
    try {
      await memberAgent.login(member.email, member.password);
      const before = await rows();
      for (const id of [outside.id, binnedOutside.id, 2_000_000_000]) {
        expect([id, await memberAgent.post('/browser/open', { id })]).toEqual([id, { code: 404, msg: `Window ${id} not found`, data: {} }]);
      }
      expect(await memberAgent.post('/browser/open', { id: binnedInside.id })).toEqual({
        code: 409,
        msg: `Window ${binnedInside.id} is in the recycle bin and cannot be opened`,
        data: {},
      });
      expect(await rows()).toEqual(before);
      expect(firefoxPids(memberAgent.dataDir)).toEqual([]);
    } finally {
      await memberAgent.close();
    }
  });

  it('closes its windows when it stops and runs none after a restart; closes all; resets stuck ones', async () => {
    const a = await createWindow(cloud, owner);
    const b = await createWindow(cloud, owner);
    const openedA = await agent.post('/browser/open', { uuid: a.uuid });
    await agent.post('/browser/open', { uuid: b.uuid });
    await agent.stop();
    expect(isAlive(openedA.data.pid)).toBe(false);
    for (const w of [a, b]) expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus).toBe('closed');

    agent = await startAgent({ cloudUrl: cloud.url, dataDir: agent.dataDir });
    expect((await agent.post('/browser/pids')).data.list).toEqual([]);
    await agent.post('/browser/open', { uuid: a.uuid });
    await agent.post('/browser/open', { uuid: b.uuid });
    const all = await agent.post('/browser/close/all');
    expect(all).toMatchObject({ code: 0, data: { list: [{ code: 0 }, { code: 0 }] } });
    expect(firefoxPids(agent.dataDir)).toEqual([]);
    for (const w of [a, b]) expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus).toBe('closed');

    const stuck = await createWindow(cloud, owner);
    // The agent's own session takes the lease, as an open that stopped half-way would have left it.
    await agent.app.get(AgentCloud).data('/browser/launch', { uuid: stuck.uuid });
    expect((await cloud.post('/browser/detail', { uuid: stuck.uuid }, owner.token)).data.openStatus).toBe('opening');
    expect(await agent.post('/browser/closing/reset', { uuid: stuck.uuid })).toMatchObject({ code: 0, data: { reset: true } });
    expect((await cloud.post('/browser/detail', { uuid: stuck.uuid }, owner.token)).data.openStatus).toBe('closed');
  }, 480_000);
});
