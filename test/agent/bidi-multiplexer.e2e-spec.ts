import WebSocket from 'ws';
import { isAlive } from '../../apps/local-agent/src/browser/firefox-process';
import { AgentHarness, startAgent } from '../support/agent-app';
import { bidiSession } from '../support/bidi-client';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createWindow, registerOwner } from '../support/factories';
import { attach, until } from '../support/firefox';
import { startTestSite, TestSite } from '../support/test-site';

jest.setTimeout(120_000);

/** Whether a WebSocket handshake to `url` (with `headers`) is accepted. */
function handshake(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('unexpected-response', () => resolve(false));
  });
}

describe('one BiDi session, many clients: the agent as the multiplexer', () => {
  let cloud: CloudHarness;
  let agent: AgentHarness;
  let owner: Account;
  let site: TestSite;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    owner = await registerOwner(cloud);
    site = await startTestSite();
    agent = await startAgent({ cloudUrl: cloud.url });
    await agent.login(owner.email, owner.password);
  });
  afterAll(async () => {
    await agent.post('/browser/close/all').catch(() => undefined);
    await agent.close();
    await site.close();
    await cloud.close();
  });

  it('serves two puppeteer-core scripts at once, and a close with both connected reads every cookie without a kill', async () => {
    const w = await createWindow(cloud, owner, { config: { syncCookies: true } });
    const opened = await agent.post('/browser/open', { uuid: w.uuid });
    expect(opened.code).toBe(0);
    const endpoint: string = opened.data.wsEndpoint;

    const [one, two] = await Promise.all([attach(endpoint), attach(endpoint)]);
    const [pageOne, pageTwo] = await Promise.all([one.newPage(), two.newPage()]);
    await Promise.all([pageOne.goto(`${site.url}/one`), pageTwo.goto(`${site.url}/two`)]);
    const [titleOne, titleTwo] = await Promise.all([
      pageOne.evaluate(() => {
        document.cookie = 'from_one=session-only; path=/';
        return location.pathname;
      }),
      pageTwo.evaluate(() => {
        document.cookie = 'from_two=kept; max-age=86400; path=/';
        return location.pathname;
      }),
    ]);
    expect([titleOne, titleTwo]).toEqual(['/one', '/two']);
    // Each script sees its own navigation's events, and both keep working side by side.
    const [again, count] = await Promise.all([
      pageOne.evaluate(() => document.cookie.split('; ').sort()),
      two.pages().then((p) => p.length),
    ]);
    expect(again).toEqual(['from_one=session-only', 'from_two=kept']);
    expect(count).toBeGreaterThanOrEqual(1);

    const closed = await agent.post('/browser/close', { uuid: w.uuid });
    expect(closed).toMatchObject({ code: 0, data: { close: { killed: false }, cookies: { synced: true, count: 2 } } });
    expect(isAlive(opened.data.pid)).toBe(false);
    const launch = await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'inspect' }, owner.token);
    expect(launch.data.cookies.map((c: { name: string }) => c.name).sort()).toEqual(['from_one', 'from_two']);
    await cloud.post('/browser/open-status/update', { uuid: w.uuid, deviceId: 'inspect', status: 'closed' }, owner.token);
    await Promise.all([one.disconnect().catch(() => undefined), two.disconnect().catch(() => undefined)]);
  });

  it('sends events only to the clients subscribed to where they happened: a tab with its frames, or everywhere', async () => {
    const w = await createWindow(cloud, owner);
    const opened = await agent.post('/browser/open', { uuid: w.uuid });
    const [one, everywhere, watcher] = await Promise.all([
      bidiSession(opened.data.wsEndpoint),
      bidiSession(opened.data.wsEndpoint),
      bidiSession(opened.data.wsEndpoint),
    ]);
    try {
      const { context: mine } = await one.send('browsingContext.create', { type: 'tab' });
      const { context: other } = await one.send('browsingContext.create', { type: 'tab' });
      await one.send('session.subscribe', { events: ['browsingContext.load', 'script.realmDestroyed'], contexts: [mine] });
      await everywhere.send('session.subscribe', { events: ['browsingContext'] });
      await watcher.send('session.subscribe', { events: ['script.realmDestroyed'] });

      await one.send('browsingContext.navigate', { context: other, url: `${site.url}/welcome`, wait: 'complete' });
      // The page has an iframe: its load happens in a child context of the tab.
      await one.send('browsingContext.navigate', { context: mine, url: `${site.url}/welcome`, wait: 'complete' });
      // Realm events name no context: the multiplexer knows each realm's, and a script waiting on
      // a tab's realm (puppeteer does) hears when it goes.
      const realmsBefore = one.events.filter((e) => e.method === 'script.realmDestroyed').length;
      const { realms: otherRealms } = await watcher.send('script.getRealms', { context: other });
      const gone = otherRealms.map((r: { realm: string }) => r.realm);
      await one.send('browsingContext.navigate', { context: other, url: `${site.url}/form`, wait: 'complete' });
      // The watcher (subscribed everywhere) hears the other tab's realms go; a command answered to
      // `one` after that is written behind any event routed to it, so a late one would be counted.
      await until('the other tab to lose its realms', () =>
        Promise.resolve(gone.length > 0 && gone.every((realm: string) => watcher.events.some((e) => e.params.realm === realm))),
      );
      await one.send('script.getRealms', { context: mine });
      expect(one.events.filter((e) => e.method === 'script.realmDestroyed').length).toBe(realmsBefore);
      await one.send('browsingContext.navigate', { context: mine, url: `${site.url}/fingerprint`, wait: 'complete' });
      await until('the frame of my tab to load and its old realm to go', async () => {
        const { contexts: tree } = await one.send('browsingContext.getTree', { root: mine });
        const children = (tree[0].children ?? []).map((c: { context: string }) => c.context);
        return (
          one.events.some((e) => e.method === 'browsingContext.load' && children.includes(e.params.context)) &&
          one.events.filter((e) => e.method === 'script.realmDestroyed').length > realmsBefore
        );
      });
      const { contexts } = await one.send('browsingContext.getTree', { root: mine });
      const frames = (contexts[0].children ?? []).map((c: { context: string }) => c.context);
      expect(frames).toHaveLength(1);

      const loadsOfOne = one.events.filter((e) => e.method === 'browsingContext.load').map((e) => e.params.context as string);
      expect(loadsOfOne).toContain(mine);
      expect(loadsOfOne).not.toContain(other);
      expect(loadsOfOne.every((c) => c === mine || frames.includes(c))).toBe(true);
      expect(loadsOfOne.some((c) => frames.includes(c))).toBe(true);
      expect(one.events.every((e) => e.method === 'browsingContext.load' || e.method === 'script.realmDestroyed')).toBe(true);
      expect(one.events.filter((e) => e.method === 'script.realmDestroyed').length).toBeGreaterThan(realmsBefore);

      const loadsEverywhere = everywhere.events.filter((e) => e.method === 'browsingContext.load').map((e) => e.params.context as string);
      expect(loadsEverywhere).toEqual(expect.arrayContaining([mine, other]));
      expect(everywhere.events.some((e) => e.method === 'browsingContext.contextCreated')).toBe(true);
    } finally {
      one.close();
      everywhere.close();
      watcher.close();
      await agent.post('/browser/close', { uuid: w.uuid });
    }
  });

  it('lets no one in without the local token, and no web page', async () => {
    const w = await createWindow(cloud, owner);
    const opened = await agent.post('/browser/open', { uuid: w.uuid });
    const endpoint: string = opened.data.wsEndpoint;
    const base = endpoint.slice(0, endpoint.lastIndexOf('/'));
    expect(await handshake(endpoint)).toBe(true);
    expect(await handshake(`${base}/wrong-token`)).toBe(false);
    expect(await handshake(base)).toBe(false);
    expect(await handshake(endpoint, { Origin: 'http://evil.example' })).toBe(false);
    expect((await agent.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
  });
});
