import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentHarness, startAgent } from '../support/agent-app';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { CloudProcess, spawnCloud } from '../support/cloud-process';
import { createTestDatabase, TestDatabase } from '../support/database';
import { Account, createWindow, registerOwner } from '../support/factories';
import { attach, until } from '../support/firefox';
import { freePort } from '../support/proxies';
import { startTestSite, TestSite } from '../support/test-site';

jest.setTimeout(240_000);

const WAIT_MS = 2000;

/** Fills the file system holding `dir` until only about `leaveBytes` are free. */
function fill(dir: string, leaveBytes: number): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      const { bavail, bsize } = statfsSync(dir);
      const free = bavail * bsize;
      if (free <= leaveBytes) break;
      writeSync(fd, chunk, 0, Math.min(chunk.length, free - leaveBytes));
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * Faults at a close: a cloud that hangs (SIGSTOP, not dead) and a disk that fills up. The agent
 * talks to a cloud process; the tests read through a second cloud instance on the same database.
 */
describe('agent close under faults: a hung cloud, a full disk', () => {
  let database: TestDatabase;
  let cloud: CloudHarness;
  let server: CloudProcess;
  let owner: Account;
  let site: TestSite;
  const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  const cloudDir = mkdtempSync(join(tmpdir(), 'cos-cloud-'));
  const storedCookie = async (uuid: string) =>
    ((await cloud.post('/browser/cookies/export', { uuid }, owner.token)).data.cookies as { name: string; value: string }[]).find(
      (c) => c.name === 'k',
    )?.value;
  const current = async (uuid: string) => (await cloud.post('/browser/profile/versions', { uuid }, owner.token)).data.current;

  async function openAndSet(agent: AgentHarness, uuid: string, value: string): Promise<string> {
    const opened = await agent.post('/browser/open', { uuid });
    expect(opened).toMatchObject({ code: 0 });
    const browser = await attach(opened.data.wsEndpoint);
    const page = await browser.newPage();
    await page.goto(`${site.url}/plain`);
    const seen = await page.evaluate(() => document.cookie);
    await page.evaluate((v) => (document.cookie = `k=${v}; max-age=86400; path=/`), value);
    await browser.disconnect();
    return seen;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const port = await freePort();
    cloud = await startCloud({ databaseUrl: database.url, env: secrets, dataDir: cloudDir });
    server = await spawnCloud({ port, env: { ...secrets, DATABASE_URL: database.url, CLOUD_DATA_DIR: cloudDir } });
    owner = await registerOwner(cloud);
    site = await startTestSite();
  });
  afterAll(async () => {
    server.resume();
    await site.close();
    await server.kill();
    await cloud.close();
    await database.drop();
    rmSync(cloudDir, { recursive: true, force: true });
  });

  describe('a cloud that hangs', () => {
    let agent: AgentHarness;
    beforeAll(async () => {
      agent = await startAgent({
        cloudUrl: server.url,
        env: { AGENT_CLOSE_REPORT_WAIT_MS: String(WAIT_MS), AGENT_OUTBOX_RETRY_MS: '300' },
      });
      await agent.login(owner.email, owner.password);
    });
    afterAll(async () => {
      server.resume();
      await agent.post('/browser/close/all').catch(() => undefined);
      await agent.close();
    });

    it('holds a close no longer than its bound; the outbox finishes the report once the cloud answers again', async () => {
      const w = await createWindow(cloud, owner, { config: { syncCookies: true } });
      const outbox = () => readdirSync(join(agent.dataDir, 'outbox'));
      await openAndSet(agent, w.uuid, 'before');
      expect((await agent.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
      await until('the first version', () => Promise.resolve(outbox().length === 0), 60_000);
      expect(await current(w.uuid)).toBe(1);

      await openAndSet(agent, w.uuid, 'while-hung');
      server.pause();
      const started = Date.now();
      const closed = await agent.post('/browser/close', { uuid: w.uuid });
      const tookMs = Date.now() - started;
      expect(closed).toMatchObject({
        code: 0,
        data: {
          cookies: { synced: true, count: 1 },
          backendClose: { pending: true, error: expect.stringContaining(`did not answer within ${WAIT_MS} ms`) },
          close: { profileSync: { version: null, pending: true } },
          openedStatus: { beforeClose: { openStatus: 'unknown' }, afterClose: { openStatus: 'unknown' } },
        },
      });
      // The bound is the close's own (its cloud steps share it, Firefox's stop is not counted), not the cloud's 30 s per call to 15 min per blob.
      expect(tookMs).toBeLessThan(60_000);
      expect(outbox()).toEqual([`${w.uuid}.json`]);
      // An open meanwhile is 503, not a wait: the cloud does not answer and the last close has not reached it.
      const reopened = await agent.post('/browser/open', { uuid: w.uuid });
      expect(reopened).toMatchObject({ code: 503 });

      server.resume();
      await until('the outbox to deliver', () => Promise.resolve(outbox().length === 0), 60_000);
      expect(await current(w.uuid)).toBe(2);
      expect(await storedCookie(w.uuid)).toBe('while-hung');
      expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus).toBe('closed');
      expect(await openAndSet(agent, w.uuid, 'after')).toBe('k=while-hung');
      expect((await agent.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
    });
  });

  describe('a disk that fills up', () => {
    let agent: AgentHarness;
    let mount: string;
    beforeAll(async () => {
      mount = mkdtempSync(join(tmpdir(), 'cos-full-disk-'));
      // A small file system of its own for the agent's data folder (the test runs as root, as CI does).
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=192m,mode=0700', 'tmpfs', mount]);
      agent = await startAgent({ cloudUrl: server.url, dataDir: mount, env: { AGENT_OUTBOX_RETRY_MS: '300' } });
      await agent.login(owner.email, owner.password);
    });
    afterAll(async () => {
      await agent.post('/browser/close/all').catch(() => undefined);
      await agent.close();
      execFileSync('umount', ['-l', mount]);
      rmSync(mount, { recursive: true, force: true });
    });

    it('a close that cannot write the profile says so (507), keeps the last good profile, leaves no partial file and keeps the cookies', async () => {
      const w = await createWindow(cloud, owner, { config: { syncCookies: true, syncIndexedDB: true } });
      await openAndSet(agent, w.uuid, 'saved');
      expect((await agent.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
      const zips = join(mount, 'uploaded-profile-zips');
      const zipHash = () =>
        createHash('sha256')
          .update(readFileSync(join(zips, `${w.uuid}.zip`)))
          .digest('hex');
      const lastGood = zipHash();
      expect(await current(w.uuid)).toBe(1);

      // A site's stored data that does not compress: the zip needs more room than the disk has left.
      const bulk = join(mount, 'browser-cache', 'firefox-profiles', w.uuid, 'storage', 'default', 'http+++shop.test', 'idb');
      mkdirSync(bulk, { recursive: true });
      writeFileSync(join(bulk, 'bulk.sqlite'), randomBytes(4 * 1024 * 1024));
      await openAndSet(agent, w.uuid, 'in-the-session');
      const filler = fill(mount, 1024 * 1024);
      const closed = await agent.post('/browser/close', { uuid: w.uuid });
      expect(closed).toMatchObject({
        code: 507,
        msg: expect.stringMatching(
          new RegExp(
            `^Insufficient storage: the profile of window ${w.uuid} could not be saved \\(.*ENOSPC.*\\).*last saved profile \\(zip and roaming version 1\\) is kept.*the session's 1 cookies were kept in the outbox and reached the cloud`,
          ),
        ),
        data: { uuid: w.uuid, cookies: { synced: true, count: 1 }, backendClose: { cookiesSynced: true } },
      });
      expect(readdirSync(zips)).toEqual([`${w.uuid}.zip`]);
      expect(zipHash()).toBe(lastGood);
      expect(await storedCookie(w.uuid)).toBe('in-the-session');
      expect(await current(w.uuid)).toBe(1);
      expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus).toBe('closed');
      expect((await fetch(`${agent.url}/health`).then((r) => r.json())).code).toBe(0);

      // Space again: the window opens with the session's cookies, and the next close saves the profile.
      rmSync(filler);
      expect(await openAndSet(agent, w.uuid, 'later')).toBe('k=in-the-session');
      const saved = await agent.post('/browser/close', { uuid: w.uuid });
      expect(saved).toMatchObject({ code: 0, data: { close: { profileSync: { version: 2 } } } });
      expect(zipHash()).not.toBe(lastGood);
    });
  });
});
