import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { isAlive } from '../../apps/local-agent/src/browser/firefox-process';
import { randomBytes } from 'node:crypto';
import { AgentHarness, startAgent } from '../support/agent-app';
import { CloudProcess, spawnCloud } from '../support/cloud-process';
import { openEvents } from '../support/sse';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { Account, createWindow, registerOwner } from '../support/factories';
import { attach, firefoxPids, until } from '../support/firefox';
import { freePort } from '../support/proxies';
import { startTestSite, TestSite } from '../support/test-site';

jest.setTimeout(240_000);

async function writeZip(path: string, entries: [string, string][]): Promise<void> {
  const zip = new ZipFile();
  for (const [name, content] of entries) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
}

/**
 * The agent talks to a cloud process that the tests kill with SIGKILL and start again on the same
 * port and database; the tests read and set up through a second cloud instance on that database.
 */
describe('agent failure paths: the cloud killed mid-close, crafted and corrupt profile zips', () => {
  let database: TestDatabase;
  let port: number;
  let cloud: CloudHarness;
  let server: CloudProcess;
  let agent: AgentHarness;
  let owner: Account;
  let site: TestSite;
  const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  const cloudDir = mkdtempSync(join(tmpdir(), 'cos-cloud-'));
  const serverAt = () =>
    spawnCloud({ port, env: { ...secrets, DATABASE_URL: database.url, CLOUD_DATA_DIR: cloudDir, WINDOW_LEASE_SECONDS: '60' } });
  const cloudCookie = async (uuid: string) => {
    const launch = await cloud.post('/browser/launch', { uuid, deviceId: 'inspect' }, owner.token);
    await cloud.post('/browser/open-status/update', { uuid, deviceId: 'inspect', status: 'closed' }, owner.token);
    return launch.data.cookies.find((c: { name: string }) => c.name === 'k')?.value as string | undefined;
  };
  /** Opens the window, shows what the page sees of cookie k, then sets it to `next`. */
  async function openAndSet(uuid: string, next: string): Promise<{ pid: number; seen: string }> {
    const opened = await agent.post('/browser/open', { uuid });
    expect(opened).toMatchObject({ code: 0, data: { alreadyStarted: false } });
    const browser = await attach(opened.data.wsEndpoint);
    const page = await browser.newPage();
    await page.goto(`${site.url}/plain`);
    const seen = await page.evaluate(() => document.cookie);
    await page.evaluate((value) => (document.cookie = `k=${value}; max-age=86400; path=/`), next);
    await browser.disconnect();
    return { pid: opened.data.pid, seen };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    port = await freePort();
    cloud = await startCloud({ databaseUrl: database.url, env: secrets });
    server = await serverAt();
    owner = await registerOwner(cloud);
    site = await startTestSite();
    agent = await startAgent({ cloudUrl: server.url, env: { AGENT_OUTBOX_RETRY_MS: '60000' } });
    await agent.login(owner.email, owner.password);
  });
  afterAll(async () => {
    await agent.post('/browser/close/all').catch(() => undefined);
    await agent.close();
    await site.close();
    await server.kill();
    await cloud.close();
    await database.drop();
    rmSync(cloudDir, { recursive: true, force: true });
  });

  it('closes at once when the cloud is killed during the close, keeps the report, and the newest cookies win at the next open', async () => {
    const w = await createWindow(cloud, owner, { name: 'closed while the cloud is down' });
    await openAndSet(w.uuid, 'v1');
    expect((await agent.post('/browser/close', { uuid: w.uuid })).data.backendClose).toMatchObject({ cookiesSynced: true });
    expect(await cloudCookie(w.uuid)).toBe('v1');

    const { pid } = await openAndSet(w.uuid, 'v2');
    const closing = agent.post('/browser/close', { uuid: w.uuid });
    await until(
      'the cloud to hear of the close',
      async () => (await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus === 'closing',
      10_000,
    );
    await server.kill();
    const closed = await closing;
    expect(closed).toMatchObject({
      code: 0,
      msg: 'Browser closed',
      data: {
        close: { error: 0, profileZipName: `${w.uuid}.zip` },
        cookies: { synced: true },
        backendClose: { pending: true, error: expect.stringContaining('unreachable') },
        openedStatus: { beforeClose: { openStatus: 'opened' }, afterClose: { openStatus: 'unknown' } },
      },
    });
    expect(isAlive(pid)).toBe(false);
    expect(readdirSync(join(agent.dataDir, 'outbox'))).toEqual([`${w.uuid}.json`]);
    // closed here at once: no dead pid is reported, and the next answers are about now, not a stale error
    expect((await agent.post('/browser/pids')).data.list).toEqual([]);
    expect(await agent.post('/browser/close', { uuid: w.uuid })).toMatchObject({ code: 503, msg: expect.stringContaining('unreachable') });
    expect(await agent.post('/browser/open', { uuid: w.uuid })).toMatchObject({ code: 503 });
    expect(firefoxPids(agent.dataDir)).toEqual([]);

    // The cloud is back; the report's retry is a minute away, so the open itself must deliver it first.
    server = await serverAt();
    const reopened = await openAndSet(w.uuid, 'v3');
    expect(reopened.seen).toBe('k=v2');
    expect(readdirSync(join(agent.dataDir, 'outbox'))).toEqual([]);
    await agent.post('/browser/close', { uuid: w.uuid });
    expect(await cloudCookie(w.uuid)).toBe('v3');
  });

  it('delivers a pending close after an agent restart: the cloud shows it closed with its cookies', async () => {
    const w = await createWindow(cloud, owner, { name: 'delivered after restart' });
    await openAndSet(w.uuid, 'before-restart');
    await server.kill();
    expect((await agent.post('/browser/close', { uuid: w.uuid })).data.backendClose).toMatchObject({ pending: true });
    await agent.stop();
    server = await serverAt();
    // the cloud went away before it heard of the close: it still holds the window as opened
    expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus).toBe('opened');

    agent = await startAgent({ cloudUrl: server.url, dataDir: agent.dataDir, env: { AGENT_OUTBOX_RETRY_MS: '200' } });
    await until(
      'the outbox to deliver',
      async () => (await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus === 'closed',
    );
    expect(await cloudCookie(w.uuid)).toBe('before-restart');
    // The profile's version follows the close report, then the report is done.
    await until('the profile commit', () => Promise.resolve(readdirSync(join(agent.dataDir, 'outbox')).length === 0));
    expect((await cloud.post('/browser/profile/versions', { uuid: w.uuid }, owner.token)).data.current).toBe(1);
  });

  it("refuses NUL bytes, deep nesting and prototype keys itself, and passes the cloud's 211 on as 211", async () => {
    expect(await agent.post('/browser/list', { keyword: 'a\u0000b' })).toEqual({
      code: 211,
      msg: 'keyword must not contain NUL characters',
      data: {},
    });
    expect((await agent.post('/browser/open', `{"uuid":${'['.repeat(4000)}${']'.repeat(4000)}}`)).code).toBe(211);
    expect(await agent.post('/browser/open', '{"uuid":"x","__proto__":{}}')).toMatchObject({
      code: 211,
      msg: 'property __proto__ should not exist',
    });
    expect(await agent.post('/browser/list', { pageSize: 100000 })).toMatchObject({ code: 211, msg: expect.stringContaining('pageSize') });
  });

  it('streams what happens to its windows on GET /events, and resumes with Last-Event-ID', async () => {
    const local = { 'X-Cos-Local-Token': agent.token };
    expect(await (await fetch(`${agent.url}/events`)).json()).toMatchObject({ code: 401 });
    const client = await openEvents(agent.url, local);
    const w = await createWindow(cloud, owner);
    const { pid } = await openAndSet(w.uuid, 'streamed');
    process.kill(pid, 'SIGKILL');
    await client.waitFor((e) => e.type === 'sync.done' && e.data.uuid === w.uuid, 30_000);
    const mine = client.events.filter((e) => e.data.uuid === w.uuid);
    expect(mine.map((e) => e.type)).toEqual(['window.opened', 'firefox.exited', 'window.closed', 'sync.done']);
    expect(mine[2].data.data).toMatchObject({ reason: 'exited', killed: false });
    client.close();

    const resumed = await openEvents(agent.url, local, mine[1].id);
    await resumed.waitFor((e) => e.type === 'sync.done' && e.data.uuid === w.uuid);
    expect(resumed.events.filter((e) => e.data.uuid === w.uuid).map((e) => e.type)).toEqual(['window.closed', 'sync.done']);
    resumed.close();
  });

  describe('profile zips that cannot be restored', () => {
    const profileOf = (uuid: string) => join(agent.dataDir, 'browser-cache', 'firefox-profiles', uuid);
    const zipOf = (uuid: string) => join(agent.dataDir, 'uploaded-profile-zips', `${uuid}.zip`);

    it('an entry that runs into a file (lnk, then lnk/evil) fails the restore, not the agent; the window opens and says so', async () => {
      const w = await createWindow(cloud, owner);
      await writeZip(zipOf(w.uuid), [
        ['lnk', 'a file'],
        ['lnk/evil', 'under a file'],
      ]);
      const opened = await agent.post('/browser/open', { uuid: w.uuid });
      expect(opened).toMatchObject({
        code: 0,
        data: {
          profileRestore: { restored: false, error: expect.any(String), keptAt: expect.stringContaining(`${w.uuid}.zip.unreadable-`) },
        },
      });
      expect(existsSync(opened.data.profileRestore.keptAt)).toBe(true);
      expect((await agent.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
      // Once the window has a roaming version, a missing profile comes from the cloud: the zip is not read at all.
      rmSync(profileOf(w.uuid), { recursive: true, force: true });
      await writeZip(zipOf(w.uuid), [
        ['lnk', 'a file'],
        ['lnk/evil', 'under a file'],
      ]);
      const again = await agent.post('/browser/open', { uuid: w.uuid });
      expect(again).toMatchObject({ code: 0, data: { profileSync: { pulled: true, version: 1 } } });
      expect(again.data).not.toHaveProperty('profileRestore');
      expect((await agent.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
      expect((await fetch(`${agent.url}/health`).then((r) => r.json())).data.status).toBe('ok');
    });

    it('a corrupt zip opens the window on what the cloud holds instead of answering 500', async () => {
      const w = await createWindow(cloud, owner);
      writeFileSync(zipOf(w.uuid), Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(4096, 7)]));
      const opened = await agent.post('/browser/open', { uuid: w.uuid });
      expect(opened).toMatchObject({ code: 0, data: { profileRestore: { restored: false } } });
      expect(existsSync(zipOf(w.uuid))).toBe(false);
      expect((await agent.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
      expect(existsSync(zipOf(w.uuid))).toBe(true);
    });

    it('a symlink left in an incomplete profile folder cannot redirect the restore outside it', async () => {
      const w = await createWindow(cloud, owner);
      const outside = mkdtempSync(join(tmpdir(), 'cos-outside-'));
      mkdirSync(profileOf(w.uuid), { recursive: true });
      symlinkSync(outside, join(profileOf(w.uuid), 'storage'));
      await writeZip(zipOf(w.uuid), [
        ['times.json', '{"created":1}'],
        ['storage/evil.txt', 'escaped'],
      ]);
      const opened = await agent.post('/browser/open', { uuid: w.uuid });
      expect(opened.code).toBe(0);
      expect(opened.data.profileRestore).toBeUndefined();
      expect(existsSync(join(outside, 'evil.txt'))).toBe(false);
      expect(existsSync(join(profileOf(w.uuid), 'storage', 'evil.txt'))).toBe(true);
      await agent.post('/browser/close', { uuid: w.uuid });
      rmSync(outside, { recursive: true, force: true });
    });
  });
});
