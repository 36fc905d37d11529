import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createWindow, registerOwner, snapshot } from '../support/factories';

jest.setTimeout(60_000);

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Whoever may open a window may commit a version of its profile, and the owner's next open loads
 * it: a version holds only the profile data the window itself syncs, and a bounded number of files.
 */
describe('what a roaming profile version may hold', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let member: Account;

  beforeAll(async () => {
    cloud = await startCloud({ env: { PROFILE_MAX_FILES: '50', PROFILE_MAX_BYTES: String(4 * 1024 * 1024) } });
    owner = await registerOwner(cloud);
    // A limited teammate: may list and open windows, nothing more.
    member = await addMember(cloud, owner, { permissions: ['browser:open', 'browser:list'], scope: 'all' });
  });
  afterAll(() => cloud.close());

  const upload = (token: string, uuid: string, data: Buffer) =>
    cloud
      .raw()
      .put(`/browser/profile/blob?uuid=${uuid}&sha256=${sha(data)}`)
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/octet-stream')
      .send(data)
      .then((r) => r.body as { code: number });
  const commit = (token: string, uuid: string, files: { path: string; data: Buffer }[], sync: Record<string, boolean> = {}) =>
    cloud.post(
      '/browser/profile/commit',
      {
        uuid,
        deviceId: 'member-desk',
        commitId: randomUUID(),
        baseVersion: null,
        sync,
        files: files.map((f) => ({ path: f.path, size: f.data.length, sha256: sha(f.data) })),
      },
      token,
    );

  it("refuses a teammate's commit that carries code or security settings, and stores nothing", async () => {
    const w = await createWindow(cloud, owner, { config: { syncExtensions: true, syncPasswords: true } });
    const cookies = randomBytes(64);
    const payloads: Record<string, Buffer> = {
      'prefs.js': Buffer.from('user_pref("xpinstall.signatures.required", false);\n'),
      'user.js': Buffer.from('user_pref("network.proxy.type", 0);\n'),
      'pkcs11.txt': Buffer.from('library=libevil.so\nname=evil\n'),
      'libevil.so': randomBytes(256),
      'extensions/evil.dll': randomBytes(128),
      'extensions.json': Buffer.from('{"addons":[]}'),
      'cert9.db': randomBytes(96),
      'policies.json': Buffer.from('{"policies":{}}'),
      'distribution/policies.json': Buffer.from('{"policies":{"Proxy":{"Mode":"none"}}}'),
      'handlers.json': Buffer.from('{}'),
    };
    expect((await upload(member.token, w.uuid, cookies)).code).toBe(0);
    for (const data of Object.values(payloads)) expect((await upload(member.token, w.uuid, data)).code).toBe(0);

    const before = await snapshot(cloud);
    for (const [path, data] of Object.entries(payloads)) {
      const answer = await commit(member.token, w.uuid, [
        { path: 'cookies.sqlite', data: cookies },
        { path, data },
      ]);
      expect([path, answer]).toEqual([
        path,
        {
          code: 211,
          msg: expect.stringMatching(/^files\[1\]\.path .* (is never synced|is not profile data that is synced).*; the commit is refused$/),
          data: {},
        },
      ]);
    }
    expect(await snapshot(cloud)).toBe(before);
    expect((await cloud.post('/browser/profile/versions', { uuid: w.uuid }, owner.token)).data).toMatchObject({ current: null, list: [] });

    // The same teammate's commit of synced data is a version like any other.
    const ok = await commit(member.token, w.uuid, [{ path: 'cookies.sqlite', data: cookies }]);
    expect(ok).toMatchObject({ code: 0, data: { version: 1 } });
  });

  it("follows the window's own sync settings, not the ones the commit claims", async () => {
    const w = await createWindow(cloud, owner, { config: { syncExtensions: false, syncPasswords: false, syncHistory: false } });
    const data = randomBytes(32);
    expect((await upload(member.token, w.uuid, data)).code).toBe(0);
    const before = await snapshot(cloud);
    const claimed = { syncExtensions: true, syncPasswords: true, syncHistory: true };
    const cases: [string, string][] = [
      ['extensions/helper@example.com.xpi', 'is signed extensions, which this window does not sync (syncExtensions is off)'],
      ['logins.json', 'syncPasswords is off'],
      ['key4.db', 'syncPasswords is off'],
      ['formhistory.sqlite', 'syncHistory is off'],
      ['startupCache/startupCache.8.little', 'is not profile data that is synced'],
      ['storage/permanent/chrome/idb/1.sqlite', 'is not profile data that is synced'],
    ];
    for (const [path, reason] of cases) {
      const answer = await commit(member.token, w.uuid, [{ path, data }], claimed);
      expect([path, answer]).toEqual([path, { code: 211, msg: expect.stringContaining(reason), data: {} }]);
    }
    expect(await snapshot(cloud)).toBe(before);
  });

  it('refuses a version over PROFILE_MAX_FILES files with 211 naming the bound, and stores nothing', async () => {
    const w = await createWindow(cloud, owner);
    const data = randomBytes(16);
    expect((await upload(member.token, w.uuid, data)).code).toBe(0);
    const files = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ path: `storage/default/https+++s${i}.test/idb/${i}.sqlite`, data }));
    const before = await snapshot(cloud);
    const over = await commit(member.token, w.uuid, files(51));
    expect(over).toEqual({
      code: 211,
      msg: "The profile lists 51 files; a window's profile version may list at most 50 (PROFILE_MAX_FILES)",
      data: {},
    });
    expect(await snapshot(cloud)).toBe(before);
    expect(await commit(member.token, w.uuid, files(50))).toMatchObject({ code: 0, data: { version: 1, fileCount: 50 } });
  });

  it('takes a blob gzipped: hash, size and bounds are those of the blob itself; a bomb or broken stream stores nothing', async () => {
    const w = await createWindow(cloud, owner);
    const put = (data: Buffer, hash: string, encoding: string) =>
      cloud
        .raw()
        .put(`/browser/profile/blob?uuid=${w.uuid}&sha256=${hash}`)
        .set('Authorization', `Bearer ${member.token}`)
        .set('Content-Type', 'application/octet-stream')
        .set('Content-Encoding', encoding)
        .send(data)
        .then((r) => r.body as { code: number; msg: string; data: Record<string, unknown> });
    // A fresh places.sqlite is mostly empty pages: megabytes that travel as kilobytes.
    const pages = Buffer.concat([randomBytes(4096), Buffer.alloc(3 * 1024 * 1024)]);
    expect(gzipSync(pages).length).toBeLessThan(64 * 1024);
    expect(await put(gzipSync(pages), sha(pages), 'gzip')).toEqual({
      code: 0,
      msg: 'success',
      data: { sha256: sha(pages), size: pages.length, stored: true },
    });
    const before = await snapshot(cloud);
    const bomb = Buffer.alloc(5 * 1024 * 1024);
    expect(await put(gzipSync(bomb), sha(bomb), 'gzip')).toMatchObject({ code: 211, msg: expect.stringContaining('larger than') });
    expect(await put(Buffer.from('not gzip at all'), sha(pages), 'gzip')).toMatchObject({
      code: 211,
      msg: expect.stringContaining('broke off'),
    });
    expect(await put(pages, sha(pages), 'br')).toMatchObject({ code: 211, msg: 'Content-Encoding of a blob may be gzip or none' });
    expect(await snapshot(cloud)).toBe(before);
    expect(await commit(member.token, w.uuid, [{ path: 'places.sqlite', data: pages }])).toMatchObject({
      code: 0,
      data: { totalSize: pages.length },
    });
  });
});
