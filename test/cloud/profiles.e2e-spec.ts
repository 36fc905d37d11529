import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BLOB_STORE, BlobStore, FsBlobStore, S3BlobStore } from '../../apps/cloud/src/profiles/blob-store';
import { ProfileBlobs } from '../../apps/cloud/src/profiles/profile-blobs';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createWindow, registerOwner, signIn, snapshot } from '../support/factories';
import { startS3 } from '../support/s3';

jest.setTimeout(60_000);

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const text = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

describe.each([
  [
    'filesystem',
    (): Promise<{ store: BlobStore; close: () => Promise<void> }> =>
      Promise.resolve({ store: new FsBlobStore(mkdtempSync(join(tmpdir(), 'cos-blobs-'))), close: () => Promise.resolve() }),
  ],
  [
    'S3 (s3rver)',
    async () => {
      const s3 = await startS3();
      const store = new S3BlobStore({
        endpoint: s3.endpoint,
        region: 'us-east-1',
        bucket: s3.bucket,
        forcePathStyle: true,
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        prefix: 'blobs/',
      });
      return { store, close: () => (store.destroy(), s3.close()) };
    },
  ],
])('the %s blob store', (_name, make) => {
  let store: BlobStore;
  let close: () => Promise<void>;
  const work = mkdtempSync(join(tmpdir(), 'cos-blob-files-'));
  beforeAll(async () => ({ store, close } = await make()));
  afterAll(async () => {
    await close();
    rmSync(work, { recursive: true, force: true });
  });

  it('keeps blobs under their hash: has, put (the file is consumed), open, delete; a second put of a hash is harmless', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 17);
    const hash = sha(data);
    expect(await store.has(hash)).toBe(false);
    expect(await store.open(hash)).toBeNull();
    for (let i = 0; i < 2; i++) {
      const file = join(work, `upload-${i}`);
      writeFileSync(file, data);
      await store.putFile(hash, file, data.length);
    }
    expect(await store.has(hash)).toBe(true);
    expect((await text((await store.open(hash))!)).equals(data)).toBe(true);
    await store.delete(hash);
    expect(await store.has(hash)).toBe(false);
    await store.delete(hash);
  });

  it('an empty blob is a blob', async () => {
    const file = join(work, 'empty');
    writeFileSync(file, '');
    const hash = sha(Buffer.alloc(0));
    await store.putFile(hash, file, 0);
    expect((await text((await store.open(hash))!)).length).toBe(0);
  });
});

describe.each([
  ['filesystem store', () => Promise.resolve({ env: {}, close: () => Promise.resolve() })],
  ['S3 store', () => startS3()],
])('roaming profile versions (%s)', (_name, makeStore) => {
  let cloud: CloudHarness;
  let storeClose: () => Promise<void>;
  let owner: Account;
  let other: Account;

  beforeAll(async () => {
    const s = await makeStore();
    storeClose = () => s.close();
    cloud = await startCloud({ env: { ...s.env, PROFILE_VERSIONS_KEPT: '3', PROFILE_MAX_BYTES: String(4 * 1024 * 1024) } });
    owner = await registerOwner(cloud);
    other = await registerOwner(cloud);
  });
  afterAll(async () => {
    await cloud.close();
    await storeClose();
  });

  const upload = (token: string, uuid: string, data: Buffer, hash = sha(data)) =>
    cloud
      .raw()
      .put(`/browser/profile/blob?uuid=${uuid}&sha256=${hash}`)
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/octet-stream')
      .send(data)
      .then((r) => r.body);
  const download = (token: string, uuid: string, hash: string) =>
    cloud
      .raw()
      .get(`/browser/profile/blob?uuid=${uuid}&sha256=${hash}`)
      .set('Authorization', `Bearer ${token}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
  const commit = (
    token: string,
    uuid: string,
    baseVersion: number | null,
    files: { path: string; data: Buffer }[],
    commitId = randomUUID(),
  ) =>
    cloud.post(
      '/browser/profile/commit',
      {
        uuid,
        deviceId: 'desk-1',
        commitId,
        baseVersion,
        sync: { syncCookies: true },
        files: files.map((f) => ({ path: f.path, size: f.data.length, sha256: sha(f.data) })),
      },
      token,
    );

  it("uploads only what the team lacks, verifies every byte, and never confirms another team's hash", async () => {
    const w = await createWindow(cloud, owner);
    const a = randomBytes(1000);
    const b = randomBytes(2000);
    expect(
      (await cloud.post('/browser/profile/blobs/missing', { uuid: w.uuid, sha256s: [sha(a), sha(b)] }, owner.token)).data.missing,
    ).toEqual([sha(a), sha(b)]);
    expect(await upload(owner.token, w.uuid, a)).toEqual({ code: 0, msg: 'success', data: { sha256: sha(a), size: 1000, stored: true } });
    expect(
      (await cloud.post('/browser/profile/blobs/missing', { uuid: w.uuid, sha256s: [sha(a), sha(b)] }, owner.token)).data.missing,
    ).toEqual([sha(b)]);

    // Bytes that do not hash to the name given are refused and leave nothing.
    const lie = await upload(
      owner.token,
      w.uuid,
      b,
      sha(a).replace(/^./, (c) => (c === '0' ? '1' : '0')),
    );
    expect(lie).toMatchObject({ code: 211, msg: expect.stringContaining('not to') });
    // Too large for a window's profile: cut off.
    const huge = await upload(owner.token, w.uuid, randomBytes(4 * 1024 * 1024 + 1));
    expect(huge).toMatchObject({ code: 211, msg: expect.stringContaining('larger than') });

    // The other team holds the same bytes only once it uploaded them itself.
    const theirs = await createWindow(cloud, other);
    expect(
      (await cloud.post('/browser/profile/blobs/missing', { uuid: theirs.uuid, sha256s: [sha(a)] }, other.token)).data.missing,
    ).toEqual([sha(a)]);
    // `stored` answers from the caller's team alone: bytes only another team holds are new to this one,
    // and bytes nobody holds are new too; only the team's own earlier upload makes it false.
    expect((await upload(other.token, theirs.uuid, a)).data).toEqual({ sha256: sha(a), size: 1000, stored: true });
    expect((await upload(other.token, theirs.uuid, a)).data).toEqual({ sha256: sha(a), size: 1000, stored: false });
    expect((await upload(owner.token, w.uuid, a)).data).toEqual({ sha256: sha(a), size: 1000, stored: false });
    const unknown = randomBytes(500);
    expect((await upload(other.token, theirs.uuid, unknown)).data).toEqual({ sha256: sha(unknown), size: 500, stored: true });
  });

  it('commits by compare-and-swap: a stale base is 409 and changes nothing; a repeated commit answers its version', async () => {
    const w = await createWindow(cloud, owner);
    const cookies = randomBytes(300);
    const places = randomBytes(400);
    for (const data of [cookies, places]) await upload(owner.token, w.uuid, data);

    const first = await commit(owner.token, w.uuid, null, [
      { path: 'cookies.sqlite', data: cookies },
      { path: 'places.sqlite', data: places },
    ]);
    expect(first).toMatchObject({ code: 0, data: { version: 1, baseVersion: null, fileCount: 2, totalSize: 700, duplicate: false } });

    const before = await snapshot(cloud);
    const stale = await commit(owner.token, w.uuid, null, [{ path: 'cookies.sqlite', data: cookies }]);
    expect(stale).toEqual({ code: 409, msg: expect.stringContaining('Stale profile version'), data: {} });
    expect(await snapshot(cloud)).toBe(before);

    const id = randomUUID();
    const second = await commit(owner.token, w.uuid, 1, [{ path: 'cookies.sqlite', data: cookies }], id);
    expect(second.data).toMatchObject({ version: 2, baseVersion: 1, duplicate: false });
    const again = await commit(owner.token, w.uuid, 1, [{ path: 'cookies.sqlite', data: cookies }], id);
    expect(again.data).toMatchObject({ version: 2, duplicate: true });

    const launch = await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'desk-1' }, owner.token);
    expect(launch.data.profileVersion).toBe(2);
    // Held by this session's device: another device (the owner signed in elsewhere) may not commit.
    const elsewhere = await cloud.post(
      '/browser/profile/commit',
      { uuid: w.uuid, commitId: randomUUID(), baseVersion: 2, sync: {}, files: [] },
      (await signIn(cloud, owner)).token,
    );
    expect(elsewhere.code).toBe(409);
    await cloud.post('/browser/open-status/update', { uuid: w.uuid, deviceId: 'desk-1', status: 'closed' }, owner.token);
  });

  it('lists versions newest first, serves manifests and blobs of its own versions only, restores as a new version, keeps the last N', async () => {
    const w = await createWindow(cloud, owner);
    const datas = Array.from({ length: 5 }, () => randomBytes(100));
    let base: number | null = null;
    for (const data of datas) {
      await upload(owner.token, w.uuid, data);
      base = (await commit(owner.token, w.uuid, base, [{ path: 'storage/default/https+++x.test/idb/1.sqlite', data }])).data.version;
    }
    const versions = await cloud.post('/browser/profile/versions', { uuid: w.uuid }, owner.token);
    expect(versions.data.current).toBe(5);
    expect(versions.data.list.map((v: { version: number }) => v.version)).toEqual([5, 4, 3]);

    const manifest = await cloud.post('/browser/profile/manifest', { uuid: w.uuid, version: 4 }, owner.token);
    expect(manifest.data.files).toEqual([{ path: 'storage/default/https+++x.test/idb/1.sqlite', size: 100, sha256: sha(datas[3]) }]);
    expect((await cloud.post('/browser/profile/manifest', { uuid: w.uuid, version: 1 }, owner.token)).code).toBe(404);

    const got = await download(owner.token, w.uuid, sha(datas[3]));
    expect(got.status).toBe(200);
    expect(got.headers['x-content-sha256']).toBe(sha(datas[3]));
    expect((got.body as Buffer).equals(datas[3])).toBe(true);
    // A hash of a version no longer kept, another window's, or another team's: not found.
    expect((await download(owner.token, w.uuid, sha(datas[0]))).body).toBeDefined();
    const dropped = await cloud
      .raw()
      .get(`/browser/profile/blob?uuid=${w.uuid}&sha256=${sha(datas[0])}`)
      .set('Authorization', `Bearer ${owner.token}`);
    expect(dropped.body).toMatchObject({ code: 404 });
    const otherWindow = await createWindow(cloud, owner);
    const foreign = await cloud
      .raw()
      .get(`/browser/profile/blob?uuid=${otherWindow.uuid}&sha256=${sha(datas[3])}`)
      .set('Authorization', `Bearer ${owner.token}`);
    expect(foreign.body).toMatchObject({ code: 404 });
    const otherTeam = await cloud
      .raw()
      .get(`/browser/profile/blob?uuid=${w.uuid}&sha256=${sha(datas[3])}`)
      .set('Authorization', `Bearer ${other.token}`);
    expect(otherTeam.body).toMatchObject({ code: 404 });

    const restored = await cloud.post('/browser/profile/restore', { uuid: w.uuid, version: 3 }, owner.token);
    expect(restored.data).toMatchObject({ version: 6, restoredFrom: 3, baseVersion: 5 });
    const now = await cloud.post('/browser/profile/manifest', { uuid: w.uuid }, owner.token);
    expect(now.data).toMatchObject({ version: 6, current: 6, files: [{ sha256: sha(datas[2]) }] });
    const audit = await cloud.post('/audit/list', { windowId: w.id }, owner.token);
    expect(audit.data.list.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['window.profile_committed', 'window.profile_restored']),
    );
  });

  it("a version carries the close's cookies when the window syncs them, and a restore brings its cookies back", async () => {
    const w = await createWindow(cloud, owner, { config: { syncCookies: true } });
    const data = randomBytes(32);
    await upload(owner.token, w.uuid, data);
    const cookie = (value: string) => ({
      name: 'sid',
      value,
      domain: 'shop.test',
      path: '/',
      secure: false,
      httpOnly: false,
      sameSite: 'lax',
    });
    const body = (baseVersion: number | null, value: string) => ({
      uuid: w.uuid,
      deviceId: 'desk-1',
      commitId: randomUUID(),
      baseVersion,
      sync: { syncCookies: true },
      cookies: [cookie(value)],
      files: [{ path: 'cookies.sqlite', size: 32, sha256: sha(data) }],
    });
    const launchCookies = async () => {
      const launch = await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'look' }, owner.token);
      await cloud.post('/browser/open-status/update', { uuid: w.uuid, deviceId: 'look', status: 'closed' }, owner.token);
      return launch.data.cookies.map((c: { value: string }) => c.value);
    };
    expect((await cloud.post('/browser/profile/commit', body(null, 'one'), owner.token)).data.version).toBe(1);
    expect((await cloud.post('/browser/profile/commit', body(1, 'two'), owner.token)).data.version).toBe(2);
    expect(await launchCookies()).toEqual(['two']);
    // A stale commit stores neither its files nor its cookies.
    expect((await cloud.post('/browser/profile/commit', body(1, 'stale'), owner.token)).code).toBe(409);
    expect(await launchCookies()).toEqual(['two']);
    await cloud.post('/browser/profile/restore', { uuid: w.uuid, version: 1 }, owner.token);
    expect(await launchCookies()).toEqual(['one']);
  });

  it('collects blobs no kept version references, not those a version uses, and a deleted window takes its versions along', async () => {
    const blobs = cloud.app.get(ProfileBlobs);
    const w = await createWindow(cloud, owner);
    const kept = randomBytes(64);
    const orphan = randomBytes(64);
    await upload(owner.token, w.uuid, kept);
    await upload(owner.token, w.uuid, orphan);
    await commit(owner.token, w.uuid, null, [{ path: 'cookies.sqlite', data: kept }]);
    // Within the grace period an unreferenced upload is a commit on its way: kept.
    await blobs.collect();
    expect(
      (await cloud.post('/browser/profile/blobs/missing', { uuid: w.uuid, sha256s: [sha(orphan)] }, owner.token)).data.missing,
    ).toEqual([]);
    const collected = await blobs.collect(0);
    expect(collected.ran).toBe(true);
    expect(
      (await cloud.post('/browser/profile/blobs/missing', { uuid: w.uuid, sha256s: [sha(orphan), sha(kept)] }, owner.token)).data.missing,
    ).toEqual([sha(orphan)]);
    expect((await download(owner.token, w.uuid, sha(kept))).status).toBe(200);
    const store = cloud.app.get<BlobStore>(BLOB_STORE);
    expect([await store.has(sha(orphan)), await store.has(sha(kept))]).toEqual([false, true]);

    const usage = await cloud.post('/browser/profile/usage', {}, owner.token);
    expect(usage.data).toMatchObject({ blobs: expect.any(Number), bytes: expect.any(Number), versions: expect.any(Number) });

    await cloud.post('/browser/delete', { id: w.id }, owner.token);
    await cloud.post('/browser/recycle/delete', { ids: [w.id] }, owner.token);
    const [{ n }] = await cloud.db.query(`SELECT count(*) AS n FROM profile_versions WHERE window_id = $1`, [w.id]);
    expect(Number(n)).toBe(0);
    await blobs.collect(0);
    const [{ held }] = await cloud.db.query(`SELECT count(*) AS held FROM profile_blobs WHERE team_id = $1 AND sha256 = $2`, [
      owner.teamId,
      sha(kept),
    ]);
    expect(Number(held)).toBe(0);
  });

  it('refuses bad commits with 211 naming the problem, and a member without the window in scope', async () => {
    const w = await createWindow(cloud, owner);
    const data = randomBytes(10);
    await upload(owner.token, w.uuid, data);
    const file = { path: 'cookies.sqlite', size: 10, sha256: sha(data) };
    const body = { uuid: w.uuid, deviceId: 'd', commitId: randomUUID(), baseVersion: null, sync: {} };
    const before = await snapshot(cloud);
    const cases: [Record<string, unknown>, string][] = [
      [{ files: [{ ...file, path: '../escape' }] }, 'files[0].path has an empty, "." or ".." part: it must be a relative path'],
      [{ files: [{ ...file, path: '/abs' }] }, 'files[0].path is absolute: it must be a relative path'],
      [{ files: [{ ...file, path: 'a//b' }] }, 'files[0].path has an empty'],
      [{ files: [{ ...file, path: 'C:/Windows/x' }] }, 'files[0].path contains a colon'],
      [{ files: [{ ...file, path: 'storage\\..\\x' }] }, 'files[0].path contains a backslash'],
      [{ files: [{ ...file, sha256: '../local-token' }] }, 'sha256 must be 64 lower-case hex digits'],
      [{ files: [file, file] }, 'files[1].path cookies.sqlite is listed twice'],
      [{ files: [{ ...file, size: 11 }] }, 'files[0].size does not match'],
      [{ files: [{ ...file, sha256: 'a'.repeat(64) }] }, 'not uploaded'],
      [{ files: [{ ...file, sha256: 'XYZ' }] }, 'sha256 must be 64 lower-case hex digits'],
      [{ files: [{ ...file, size: 5 * 1024 * 1024 }] }, 'at most 4194304 bytes'],
      [{ files: 'x' }, 'files must be an array'],
      [{ files: [], baseVersion: 0 }, 'baseVersion must be a positive integer or null'],
      [{ files: [], commitId: 'nope' }, 'commitId must be a UUID'],
      [{ files: [], sync: [] }, 'sync must be an object'],
    ];
    for (const [patch, msg] of cases) {
      const answer = await cloud.post('/browser/profile/commit', { ...body, ...patch }, owner.token);
      expect([patch, answer]).toEqual([patch, { code: 211, msg: expect.stringContaining(msg), data: {} }]);
    }
    expect(await snapshot(cloud)).toBe(before);
    const badQuery = await cloud
      .raw()
      .get(`/browser/profile/blob?uuid=${w.uuid}&sha256=nothex`)
      .set('Authorization', `Bearer ${owner.token}`);
    expect(badQuery.body).toMatchObject({ code: 211, msg: expect.stringContaining('sha256') });
    const asJson = await cloud
      .raw()
      .put(`/browser/profile/blob?uuid=${w.uuid}&sha256=${sha(data)}`)
      .set('Authorization', `Bearer ${owner.token}`)
      .send({ a: 1 });
    expect(asJson.body).toMatchObject({ code: 211, msg: expect.stringContaining('application/octet-stream') });

    const member = await addMember(cloud, owner, { permissions: ['browser:open', 'browser:list'], scope: 'groups', groupIds: [] });
    expect((await cloud.post('/browser/profile/versions', { uuid: w.uuid }, member.token)).code).toBe(404);
    expect((await upload(member.token, w.uuid, data)).code).toBe(404);
  });
});

describe("a team's uploads that no version uses are bounded", () => {
  let cloud: CloudHarness;
  let owner: Account;
  let other: Account;
  const MiB = 1024 * 1024;

  beforeAll(async () => {
    cloud = await startCloud({ env: { PROFILE_UNREFERENCED_MAX_BYTES: String(5 * MiB), PROFILE_UNREFERENCED_MAX_BLOBS: '8' } });
    owner = await registerOwner(cloud);
    other = await registerOwner(cloud);
  });
  afterAll(() => cloud.close());

  const upload = (token: string, uuid: string, data: Buffer) =>
    cloud
      .raw()
      .put(`/browser/profile/blob?uuid=${uuid}&sha256=${sha(data)}`)
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/octet-stream')
      .send(data)
      .then((r) => r.body);
  const usage = async (token: string) => (await cloud.post('/browser/profile/usage', {}, token)).data;

  it('refuses an upload past the bound with 429 naming it, keeps nothing of it, and a commit frees the room', async () => {
    const w = await createWindow(cloud, owner);
    const blobs = Array.from({ length: 6 }, () => randomBytes(MiB));
    for (const blob of blobs.slice(0, 5)) expect((await upload(owner.token, w.uuid, blob)).data).toMatchObject({ stored: true });
    expect((await usage(owner.token)).unreferenced).toEqual({ blobs: 5, bytes: 5 * MiB, maxBlobs: 8, maxBytes: 5 * MiB });

    const before = await snapshot(cloud);
    const refused = await upload(owner.token, w.uuid, blobs[5]);
    expect(refused).toEqual({
      code: 429,
      msg: expect.stringMatching(/holds 5 uploaded blobs \(5242880 bytes\) that no profile version uses.*PROFILE_UNREFERENCED_MAX_BYTES/),
      data: {},
    });
    expect(await snapshot(cloud)).toBe(before);
    expect(readdirSync(join(cloud.dataDir, 'tmp'))).toEqual([]);
    expect(await cloud.app.get<BlobStore>(BLOB_STORE).has(sha(blobs[5]))).toBe(false);
    // A blob the team already holds adds nothing: it passes while the bound is reached.
    expect((await upload(owner.token, w.uuid, blobs[0])).data).toMatchObject({ stored: false });
    // Another team's bound is its own.
    const theirs = await createWindow(cloud, other);
    expect((await upload(other.token, theirs.uuid, blobs[5])).data).toMatchObject({ stored: true });

    const committed = await cloud.post(
      '/browser/profile/commit',
      {
        uuid: w.uuid,
        deviceId: 'desk-1',
        commitId: randomUUID(),
        baseVersion: null,
        sync: {},
        files: blobs
          .slice(0, 5)
          .map((b, i) => ({ path: `storage/default/https+++s${i}.test/idb/${i}.sqlite`, size: b.length, sha256: sha(b) })),
      },
      owner.token,
    );
    expect(committed.code).toBe(0);
    expect((await usage(owner.token)).unreferenced).toMatchObject({ blobs: 0, bytes: 0 });
    expect((await upload(owner.token, w.uuid, blobs[5])).data).toMatchObject({ stored: true });
    expect(await usage(owner.token)).toMatchObject({ blobs: 6, bytes: 6 * MiB, unreferenced: { blobs: 1, bytes: MiB } });
  });

  it('counts blobs as well as bytes', async () => {
    const w = await createWindow(cloud, other);
    const small = Array.from({ length: 8 }, () => randomBytes(10));
    // The other team already holds one unreferenced blob from the test above.
    for (const blob of small.slice(0, 7)) expect((await upload(other.token, w.uuid, blob)).code).toBe(0);
    expect(await upload(other.token, w.uuid, small[7])).toMatchObject({ code: 429, msg: expect.stringContaining('bound of 8 blobs') });
  });
});

describe('a profile store that does not answer', () => {
  let cloud: CloudHarness;
  let owner: Account;

  beforeAll(async () => {
    // An S3 endpoint nobody listens on.
    cloud = await startCloud({
      env: {
        PROFILE_STORE: 's3',
        S3_ENDPOINT: 'http://127.0.0.1:9',
        S3_BUCKET: 'nowhere',
        S3_FORCE_PATH_STYLE: 'true',
        S3_ACCESS_KEY_ID: 'x',
        S3_SECRET_ACCESS_KEY: 'y',
      },
    });
    owner = await registerOwner(cloud);
  });
  afterAll(() => cloud.close());

  it('is 503 naming the store, never a 500, and records nothing', async () => {
    const w = await createWindow(cloud, owner);
    const data = randomBytes(100);
    const before = await snapshot(cloud);
    const answer = await cloud
      .raw()
      .put(`/browser/profile/blob?uuid=${w.uuid}&sha256=${sha(data)}`)
      .set('Authorization', `Bearer ${owner.token}`)
      .set('Content-Type', 'application/octet-stream')
      .send(data);
    expect(answer.body).toEqual({ code: 503, msg: expect.stringContaining('The profile store does not answer'), data: {} });
    expect(await snapshot(cloud)).toBe(before);
    // What needs only the database still works: the blob is still missing.
    const missing = await cloud.post('/browser/profile/blobs/missing', { uuid: w.uuid, sha256s: [sha(data)] }, owner.token);
    expect(missing.data.missing).toEqual([sha(data)]);
  });
});
