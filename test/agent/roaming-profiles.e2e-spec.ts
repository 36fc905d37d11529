import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { AgentCloud } from '../../apps/local-agent/src/cloud/agent-cloud';
import type { AgentHarness } from '../support/agent-app';
import type { CloudHarness } from '../support/cloud-app';
import { closeDevices, startDevices } from '../support/devices';
import { Account, createWindow, registerOwner } from '../support/factories';
import { attach, firefoxPids, until } from '../support/firefox';
import { KillableCloud, startKillableCloud } from '../support/killable-cloud';
import { startTestSite, TestSite } from '../support/test-site';

jest.setTimeout(300_000);

const ALL_SYNCED = { syncCookies: true, syncLocalStorage: true, syncIndexedDB: true, syncHistory: true, syncBookmarks: true };

/** Rows of a SQLite file of a profile, read from a copy with its write-ahead log (Firefox may be running). */
function query<T>(profileDir: string, file: string, sql: string): T[] {
  const dir = mkdtempSync(join(tmpdir(), 'cos-sqlite-'));
  try {
    copyFileSync(join(profileDir, file), join(dir, file));
    if (existsSync(join(profileDir, `${file}-wal`))) copyFileSync(join(profileDir, `${file}-wal`), join(dir, `${file}-wal`));
    const db = new Database(join(dir, file));
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a page of the test site keeps: cookies, localStorage and the IndexedDB value. */
async function siteState(page: Page): Promise<{ cookies: string[]; ls: string | null; idb: unknown }> {
  return page.evaluate(
    () =>
      new Promise<{ cookies: string[]; ls: string | null; idb: unknown }>((resolve) => {
        const open = indexedDB.open('cos-test', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('kv');
        open.onsuccess = () => {
          const get = open.result.transaction('kv').objectStore('kv').get('idb_key');
          get.onsuccess = () =>
            resolve({
              cookies: document.cookie.split('; ').filter(Boolean).sort(),
              ls: localStorage.getItem('ls_key'),
              idb: get.result ?? null,
            });
        };
      }),
  );
}

/**
 * Two agents with their own data folders are two devices of one user. They talk to a cloud
 * process the tests can kill; the tests look at the database through a second cloud instance.
 */
describe("roaming profiles: a window's whole profile follows it from device to device", () => {
  let killable: KillableCloud;
  let cloud: CloudHarness;
  let deviceA: AgentHarness;
  let deviceB: AgentHarness;
  let owner: Account;
  let site: TestSite;
  const profileOf = (agent: AgentHarness, uuid: string) => join(agent.dataDir, 'browser-cache', 'firefox-profiles', uuid);
  const versions = async (uuid: string) => (await cloud.post('/browser/profile/versions', { uuid }, owner.token)).data;

  async function open(agent: AgentHarness, uuid: string) {
    const opened = await agent.post('/browser/open', { uuid });
    expect(opened.code).toBe(0);
    const browser = await attach(opened.data.wsEndpoint);
    const page = await browser.newPage();
    return { opened, browser, page };
  }

  beforeAll(async () => {
    killable = await startKillableCloud();
    cloud = killable.cloud;
    owner = await registerOwner(cloud);
    site = await startTestSite();
    [deviceA, deviceB] = await startDevices(owner, [killable.url, killable.url], { AGENT_OUTBOX_RETRY_MS: '300' });
  });
  afterAll(async () => {
    await closeDevices([deviceA, deviceB]);
    await site.close();
    await killable.close();
  });

  it('cookies, localStorage, IndexedDB, history and bookmarks travel A → B → A; a stale commit is 409 and loses nothing; a restore brings an old state back', async () => {
    const w = await createWindow(cloud, owner, { config: ALL_SYNCED });

    // A: a first open makes the profile; a bookmark is added to it while the window is closed.
    let a = await open(deviceA, w.uuid);
    await a.browser.disconnect();
    let closed = await deviceA.post('/browser/close', { uuid: w.uuid });
    expect(closed.data.close.profileSync).toMatchObject({ version: 1, pending: false, uploadedBytes: expect.any(Number) });
    const places = new Database(join(profileOf(deviceA, w.uuid), 'places.sqlite'));
    const toolbar = (places.prepare(`SELECT id FROM moz_bookmarks WHERE guid = 'toolbar_____'`).get() as { id: number }).id;
    places
      .prepare(
        `INSERT INTO moz_places (url, title, rev_host, guid, url_hash) VALUES ('https://shop.test/', 'Shop', 'tset.pohs.', 'cosbookmark1', 0)`,
      )
      .run();
    places
      .prepare(
        `INSERT INTO moz_bookmarks (type, fk, parent, position, title, guid, dateAdded, lastModified)
         SELECT 1, id, ?, 0, 'The shop', 'cosbookmark2', 0, 0 FROM moz_places WHERE guid = 'cosbookmark1'`,
      )
      .run(toolbar);
    places.close();

    // A again: the page sets a cookie, localStorage, IndexedDB; a visit lands in history.
    a = await open(deviceA, w.uuid);
    expect(a.opened.data.profileSync).toMatchObject({ version: 1, pulled: false });
    await a.page.goto(`${site.url}/`);
    await a.page.waitForFunction(() => (window as unknown as { stored?: boolean }).stored === true);
    await a.page.goto(`${site.url}/welcome?from=a`);
    await a.browser.disconnect();
    closed = await deviceA.post('/browser/close', { uuid: w.uuid });
    expect(closed.data.close.profileSync).toMatchObject({ version: 2, pending: false });
    expect(closed.data.close.profileSync.skippedBytes).toBeGreaterThan(0);

    // B: everything is there.
    let b = await open(deviceB, w.uuid);
    expect(b.opened.data.profileSync).toMatchObject({ version: 2, pulled: true, downloadedBytes: expect.any(Number) });
    await b.page.goto(`${site.url}/other`);
    expect(await siteState(b.page)).toEqual({
      cookies: ['js_cookie=from-script', 'session_cookie=for-this-session'],
      ls: 'ls_value',
      idb: 'idb_value',
    });
    const profileB = profileOf(deviceB, w.uuid);
    expect(query<{ url: string }>(profileB, 'places.sqlite', `SELECT url FROM moz_places`).map((r) => r.url)).toContain(
      `${site.url}/welcome?from=a`,
    );
    expect(query(profileB, 'places.sqlite', `SELECT title FROM moz_bookmarks WHERE guid = 'cosbookmark2'`)).toEqual([
      { title: 'The shop' },
    ]);

    // B changes it and closes; A opens on B's state.
    await b.page.evaluate(() => {
      localStorage.setItem('ls_key', 'from-b');
      document.cookie = 'b_cookie=1; max-age=86400; path=/';
    });
    await b.browser.disconnect();
    expect((await deviceB.post('/browser/close', { uuid: w.uuid })).data.close.profileSync).toMatchObject({ version: 3 });
    a = await open(deviceA, w.uuid);
    expect(a.opened.data.profileSync).toMatchObject({ version: 3, pulled: true });
    // Files A already had (unchanged by B) were copied, not downloaded.
    expect(a.opened.data.profileSync.reusedBytes).toBeGreaterThan(0);
    await a.page.goto(`${site.url}/other`);
    expect(await siteState(a.page)).toMatchObject({ ls: 'from-b', cookies: expect.arrayContaining(['b_cookie=1']) });

    // A version lands on top while A has the window open: A's close is now stale. Only the holder's
    // device may commit while it holds the window, so it comes through A's own session.
    const manifest = (await cloud.post('/browser/profile/manifest', { uuid: w.uuid }, owner.token)).data;
    const sneak = {
      uuid: w.uuid,
      commitId: '6f1c2d3e-0000-4000-8000-000000000001',
      baseVersion: 3,
      sync: manifest.sync,
      files: manifest.files,
    };
    expect((await cloud.post('/browser/profile/commit', sneak, owner.token)).code).toBe(409);
    const sneaked = await deviceA.app.get(AgentCloud).call<{ version: number }>('/browser/profile/commit', sneak);
    expect(sneaked.data.version).toBe(4);
    await a.page.evaluate(() => localStorage.setItem('ls_key', 'stale-on-a'));
    await a.browser.disconnect();
    closed = await deviceA.post('/browser/close', { uuid: w.uuid });
    expect(closed.data.close.profileSync).toMatchObject({
      version: null,
      pending: false,
      error: expect.stringContaining('409 Stale profile version'),
    });
    expect((await versions(w.uuid)).current).toBe(4);
    expect((await versions(w.uuid)).list.map((v: { version: number }) => v.version)).toEqual([4, 3, 2, 1]);

    // Restore version 2: the next open (on B) shows A's first state again, not B's change.
    expect((await cloud.post('/browser/profile/restore', { uuid: w.uuid, version: 2 }, owner.token)).data).toMatchObject({
      version: 5,
      restoredFrom: 2,
    });
    b = await open(deviceB, w.uuid);
    expect(b.opened.data.profileSync).toMatchObject({ version: 5, pulled: true });
    await b.page.goto(`${site.url}/other`);
    expect(await siteState(b.page)).toMatchObject({ ls: 'ls_value', cookies: expect.not.arrayContaining(['b_cookie=1']) });
    await b.browser.disconnect();
    await deviceB.post('/browser/close', { uuid: w.uuid });
  });

  it('a blob corrupted in the store is a clear error, and the device keeps its profile untouched', async () => {
    const w = await createWindow(cloud, owner, { config: ALL_SYNCED });
    let a = await open(deviceA, w.uuid);
    await a.browser.disconnect();
    await deviceA.post('/browser/close', { uuid: w.uuid });
    // B gets version 1 (its close changes nothing: no version); A makes version 2 with a changed cookie jar.
    const b = await open(deviceB, w.uuid);
    await b.browser.disconnect();
    expect((await deviceB.post('/browser/close', { uuid: w.uuid })).data.close.profileSync).toMatchObject({ version: 1, unchanged: true });
    a = await open(deviceA, w.uuid);
    await a.page.goto(`${site.url}/`);
    await a.browser.disconnect();
    await deviceA.post('/browser/close', { uuid: w.uuid });
    const current = (await cloud.post('/browser/profile/manifest', { uuid: w.uuid }, owner.token)).data;
    const first = (await cloud.post('/browser/profile/manifest', { uuid: w.uuid, version: 1 }, owner.token)).data;
    const changed = current.files.find(
      (f: { path: string; sha256: string }) => !first.files.some((o: { sha256: string }) => o.sha256 === f.sha256),
    );
    const blobPath = join(killable.dataDir, 'profile-blobs', changed.sha256.slice(0, 2), changed.sha256.slice(2, 4), changed.sha256);
    writeFileSync(blobPath, Buffer.from(readFileSync(blobPath)).fill(0x41, 0, 16));

    const profileB = profileOf(deviceB, w.uuid);
    const fingerprint = () =>
      readdirSync(profileB, { recursive: true })
        .map(String)
        .sort()
        .filter((f) => f.endsWith('.sqlite'))
        .map(
          (f) =>
            `${f}:${createHash('sha256')
              .update(readFileSync(join(profileB, f)))
              .digest('hex')}`,
        );
    const before = fingerprint();
    const refused = await deviceB.post('/browser/open', { uuid: w.uuid });
    expect(refused).toEqual({
      code: 503,
      msg: expect.stringMatching(
        /could not be fetched: blob [0-9a-f]{64} arrived as \d+ bytes hashing to [0-9a-f]{64}; the local profile is untouched/,
      ),
      data: {},
    });
    expect(fingerprint()).toEqual(before);
    expect(firefoxPids(profileB)).toEqual([]);
    expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus).toBe('closed');
  });

  it('the cloud killed during an upload: the outbox finishes it after the restart, exactly one new version', async () => {
    const w = await createWindow(cloud, owner, { config: ALL_SYNCED });
    const a = await open(deviceA, w.uuid);
    await a.browser.disconnect();
    await deviceA.post('/browser/close', { uuid: w.uuid });
    // 40 MB of IndexedDB data that changed: the upload takes a while.
    const bulk = join(profileOf(deviceA, w.uuid), 'storage', 'default', 'http+++shop.test', 'idb');
    mkdirSync(bulk, { recursive: true });
    writeFileSync(join(bulk, 'bulk.sqlite'), randomBytes(40 * 1024 * 1024));
    const again = await open(deviceA, w.uuid);
    await again.browser.disconnect();

    const closing = deviceA.post('/browser/close', { uuid: w.uuid });
    const uploads = join(killable.dataDir, 'tmp');
    await until(
      'an upload under way',
      () => Promise.resolve(existsSync(uploads) && readdirSync(uploads).some((f) => f.endsWith('.part'))),
      60_000,
    );
    await killable.process.kill();
    const answer = await closing;
    expect(answer.code).toBe(0);
    expect(answer.data.close.profileSync).toMatchObject({ pending: true });
    expect((await versions(w.uuid)).current).toBe(1);

    await killable.restart();
    await until('the outbox to commit', async () => (await versions(w.uuid)).current === 2, 120_000);
    await until('the outbox empty', () => Promise.resolve(readdirSync(join(deviceA.dataDir, 'outbox')).length === 0));
    expect((await versions(w.uuid)).list.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const manifest = (await cloud.post('/browser/profile/manifest', { uuid: w.uuid }, owner.token)).data;
    expect(manifest.files.map((f: { path: string }) => f.path)).toContain('storage/default/http+++shop.test/idb/bulk.sqlite');
  });
});
