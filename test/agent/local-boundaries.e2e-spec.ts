import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BidiMultiplexer, SessionTakenError } from '../../apps/local-agent/src/bidi/bidi-multiplexer';
import { readProfileCookies } from '../../apps/local-agent/src/browser/cookie-reader';
import { isAlive, startFirefox } from '../../apps/local-agent/src/browser/firefox-process';
import { AgentHarness, startAgent } from '../support/agent-app';
import { AgentProcess, spawnAgent } from '../support/agent-process';
import { bidiClient, BidiClient } from '../support/bidi-client';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createWindow, registerOwner } from '../support/factories';
import { firefoxPids, until } from '../support/firefox';
import { listeningTcpPorts } from '../support/listening-sockets';
import { startTestSite, TestSite } from '../support/test-site';

jest.setTimeout(300_000);

/**
 * What another local program gets when it asks Firefox's own WebDriver BiDi port for a session,
 * as anyone who reads `ss -ltn` can: `taken` when it got one (it could read every cookie).
 */
async function askForSession(port: number): Promise<string> {
  let client: BidiClient;
  try {
    client = await bidiClient(`ws://127.0.0.1:${port}/session`);
  } catch (error) {
    const message = (error as Error).message;
    return message.startsWith('HTTP ') ? message : `no connection (${message})`;
  }
  try {
    await client.ready();
    await client.send('session.new', { capabilities: {} });
    return 'taken';
  } catch (error) {
    return (error as Error).message;
  } finally {
    client.close();
  }
}

/** Firefox's own listening port: the one its main process holds. */
function firefoxPort(pid: number): number {
  const ports = listeningTcpPorts(pid);
  expect(ports).toHaveLength(1);
  return ports[0];
}

describe("the local machine's boundaries: Firefox's own port, a stopped, killed or restarted agent, web pages", () => {
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
    await agent.close();
    await site.close();
    await cloud.close();
  });

  const detail = async (uuid: string) => (await cloud.post('/browser/detail', { uuid }, owner.token)).data;
  const cloudCookies = async (uuid: string): Promise<string[]> => {
    const launch = await cloud.post('/browser/launch', { uuid, deviceId: 'inspect' }, owner.token);
    await cloud.post('/browser/open-status/update', { uuid, deviceId: 'inspect', status: 'closed' }, owner.token);
    return launch.data.cookies.map((c: { name: string }) => c.name);
  };

  it("a stopping agent closes and syncs its windows: Firefox's own port never hands out a session", async () => {
    const w = await createWindow(cloud, owner, { config: { syncCookies: true } });
    const opened = await agent.post('/browser/open', { uuid: w.uuid });
    expect(opened.code).toBe(0);
    await agent.post('/browser/navigate', { uuid: w.uuid, url: `${site.url}/` });
    const port = firefoxPort(opened.data.pid);
    expect(await askForSession(port)).toBe('Maximum number of active sessions');

    await agent.stop();
    try {
      expect(await askForSession(port)).toMatch(/^no connection/);
      expect(isAlive(opened.data.pid)).toBe(false);
      expect((await detail(w.uuid)).openStatus).toBe('closed');
      expect(await cloudCookies(w.uuid)).toEqual(expect.arrayContaining(['server_cookie', 'js_cookie']));
    } finally {
      if (isAlive(opened.data.pid)) process.kill(opened.data.pid, 'SIGKILL');
      agent = await startAgent({ cloudUrl: cloud.url, dataDir: agent.dataDir });
    }
  });

  describe('an agent killed with SIGKILL', () => {
    let dataDir: string;
    let killed: AgentProcess;
    beforeEach(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'cos-agent-killed-'));
      killed = await spawnAgent({ cloudUrl: cloud.url, dataDir, email: owner.email, password: owner.password });
    });
    afterEach(async () => {
      await killed.kill();
      for (const pid of firefoxPids(dataDir)) process.kill(pid, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('leaves its window holding its session for nobody, and the next agent closes and syncs it', async () => {
      const w = await createWindow(cloud, owner, { config: { syncCookies: true } });
      const opened = await killed.post('/browser/open', { uuid: w.uuid });
      expect(opened.code).toBe(0);
      await killed.post('/browser/navigate', { uuid: w.uuid, url: `${site.url}/` });
      const port = firefoxPort(opened.data.pid);
      // With its session held by a dead agent, what the next agent can save is what Firefox wrote to
      // the profile: wait until its cookie store has the site's cookies (Firefox writes it behind).
      const profileDir = join(dataDir, 'browser-cache', 'firefox-profiles', w.uuid);
      await until('Firefox to write the cookies to its profile', () => {
        const names = readProfileCookies(profileDir).map((c) => c.name);
        return Promise.resolve(names.includes('server_cookie') && names.includes('js_cookie'));
      });
      await killed.kill();

      expect(isAlive(opened.data.pid)).toBe(true);
      expect(await askForSession(port)).toBe('Maximum number of active sessions');
      const next = await startAgent({ cloudUrl: cloud.url, dataDir });
      try {
        await until(
          'the next agent to close the window',
          async () => !isAlive(opened.data.pid) && (await detail(w.uuid)).openStatus === 'closed',
        );
        expect(await askForSession(port)).toMatch(/^no connection/);
        expect(await cloudCookies(w.uuid)).toEqual(expect.arrayContaining(['server_cookie', 'js_cookie']));
      } finally {
        await next.stop();
      }
    });

    it('during an open: the next agent stops the Firefox it left, and the window opens again', async () => {
      const w = await createWindow(cloud, owner);
      const opening = killed.post('/browser/open', { uuid: w.uuid }).catch(() => null);
      const orphan = await until('Firefox started', () => Promise.resolve(firefoxPids(dataDir)[0]));
      await killed.kill();
      await opening;

      const next = await startAgent({ cloudUrl: cloud.url, dataDir });
      try {
        await until('the orphan Firefox stopped', () => Promise.resolve(!isAlive(orphan)));
        await until('the window released', async () => (await detail(w.uuid)).openStatus === 'closed');
        const again = await next.post('/browser/open', { uuid: w.uuid });
        expect(again).toMatchObject({ code: 0, data: { alreadyStarted: false } });
        expect(firefoxPids(dataDir)).toEqual([again.data.pid]);
        expect((await next.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
      } finally {
        await next.stop();
      }
    });
  });

  it('an open during a close waits for the close and opens the window anew', async () => {
    const w = await createWindow(cloud, owner);
    const opened = await agent.post('/browser/open', { uuid: w.uuid });
    const closing = agent.post('/browser/close', { uuid: w.uuid });
    // Asked as fast as the cloud answers: the close is under way from its `closing` report on.
    for (let i = 0; (await detail(w.uuid)).openStatus !== 'closing'; i++) expect(i).toBeLessThan(5000);
    const reopened = await agent.post('/browser/open', { uuid: w.uuid });
    expect((await closing).code).toBe(0);
    expect(reopened).toMatchObject({ code: 0, data: { alreadyStarted: false } });
    expect(reopened.data.pid).not.toBe(opened.data.pid);
    expect(isAlive(opened.data.pid)).toBe(false);
    expect(isAlive(reopened.data.pid)).toBe(true);
    expect((await agent.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
  });

  it('a program that took the session before the agent is found at once (the agent stops that window)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cos-taken-'));
    let pid = 0;
    try {
      const firefox = await startFirefox({
        executablePath: agent.config.firefoxPath,
        profileDir: join(dir, 'profile'),
        plan: { prefs: {}, env: {}, windowSize: { width: 1280, height: 800 } },
        headless: true,
        logPath: join(dir, 'firefox.log'),
        onSpawn: (spawned) => (pid = spawned),
      });
      expect(await askForSession(firefox.port)).toBe('taken');
      await expect(
        BidiMultiplexer.start(firefox.wsEndpoint, () => 'token', { maxMessageBytes: 1 << 20, maxClients: 4 }),
      ).rejects.toBeInstanceOf(SessionTakenError);
    } finally {
      if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a web page cannot tell the agent runs: its requests get no answer at all; programs still get theirs', async () => {
    const w = await createWindow(cloud, owner);
    const opened = await agent.post('/browser/open', { uuid: w.uuid });
    await agent.post('/browser/navigate', { uuid: w.uuid, url: `${site.url}/echo` });
    const probe = (url: string) => `fetch(${JSON.stringify(url)}, { mode: 'no-cors' }).then(() => 'answered', () => 'no answer')`;
    const mux = new URL(opened.data.wsEndpoint as string);
    for (const url of [`${agent.url}/health`, `${agent.url}/no-such-route`, `http://127.0.0.1:${mux.port}/`]) {
      expect([url, (await agent.post('/browser/eval', { uuid: w.uuid, code: probe(url) })).data.value]).toEqual([url, 'no answer']);
    }
    // The same request from a program: answered.
    expect((await fetch(`${agent.url}/health`)).status).toBe(200);
    const pageHeaders: Record<string, string>[] = [
      { Origin: 'http://site.example' },
      { 'Sec-Fetch-Site': 'cross-site' },
      { 'Sec-Fetch-Dest': 'empty' },
    ];
    for (const headers of pageHeaders) {
      await expect(fetch(`${agent.url}/health`, { headers })).rejects.toThrow('fetch failed');
    }
    expect((await agent.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
  });
});
