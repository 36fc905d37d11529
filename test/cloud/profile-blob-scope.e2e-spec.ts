import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ProfileBlobs } from '../../apps/cloud/src/profiles/profile-blobs';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createGroup, createWindow, registerOwner, snapshot } from '../support/factories';

jest.setTimeout(60_000);

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * A team keeps a blob's bytes once, but a window names only the blobs it may read: those of its
 * own kept versions and those uploaded for it. Knowing the hash of another window's file (from a
 * manifest once seen, or a guess at a common file) neither reads it nor tells whether it is held.
 */
describe("a window's profile names only its own blobs", () => {
  let cloud: CloudHarness;
  let owner: Account;
  let member: Account;
  let w1: { id: number; uuid: string };
  let w2: { id: number; uuid: string };
  // The other window's cookie jar: what the member is after.
  const secret = randomBytes(59);

  const upload = (token: string, uuid: string, data: Buffer) =>
    cloud
      .raw()
      .put(`/browser/profile/blob?uuid=${uuid}&sha256=${sha(data)}`)
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
  /** A refused download answers the JSON envelope. */
  const refusal = async (token: string, uuid: string, hash: string) => JSON.parse((await download(token, uuid, hash)).body.toString());
  const commit = (token: string, uuid: string, baseVersion: number | null, files: { path: string; size: number; sha256: string }[]) =>
    cloud.post('/browser/profile/commit', { uuid, commitId: randomUUID(), baseVersion, sync: { syncCookies: true }, files }, token);
  const missing = async (token: string, uuid: string, hashes: string[]) =>
    (await cloud.post('/browser/profile/blobs/missing', { uuid, sha256s: hashes }, token)).data.missing as string[];
  const links = async (windowId: number) =>
    Number((await cloud.db.query(`SELECT count(*) AS n FROM profile_blob_links WHERE window_id = $1`, [windowId]))[0].n);

  beforeAll(async () => {
    cloud = await startCloud();
    owner = await registerOwner(cloud);
    const g1 = await createGroup(cloud, owner);
    const g2 = await createGroup(cloud, owner);
    w1 = await createWindow(cloud, owner, { groupId: g1 });
    w2 = await createWindow(cloud, owner, { groupId: g2 });
    member = await addMember(cloud, owner, { permissions: ['browser:list', 'browser:open'], scope: 'groups', groupIds: [g1] });
    expect((await upload(owner.token, w2.uuid, secret)).data).toMatchObject({ stored: true });
    expect((await commit(owner.token, w2.uuid, null, [{ path: 'cookies.sqlite', size: 59, sha256: sha(secret) }])).code).toBe(0);
  });
  afterAll(() => cloud.close());

  it("refuses a commit naming another window's blob by its hash, so the hash never reads the bytes", async () => {
    expect(await refusal(member.token, w2.uuid, sha(secret))).toMatchObject({ code: 404 });
    const before = await snapshot(cloud);
    const stolen = await commit(member.token, w1.uuid, null, [{ path: 'cookies.sqlite', size: 59, sha256: sha(secret) }]);
    expect(stolen).toEqual({
      code: 211,
      msg: `files[0].path cookies.sqlite: blob ${sha(secret)} was not uploaded for window ${w1.uuid}; upload it, then commit again`,
      data: {},
    });
    expect(await snapshot(cloud)).toBe(before);
    expect(await refusal(member.token, w1.uuid, sha(secret))).toMatchObject({
      code: 404,
      msg: expect.stringContaining('in no profile version'),
    });
    // Not the member's scope that stops it but the window's: the owner is refused alike.
    const byOwner = await commit(owner.token, w1.uuid, null, [{ path: 'cookies.sqlite', size: 59, sha256: sha(secret) }]);
    expect(byOwner).toMatchObject({ code: 211, msg: expect.stringContaining('files[0].path cookies.sqlite') });
    expect(await snapshot(cloud)).toBe(before);
  });

  it('answers blobs/missing from the window alone: a hash another window holds is as missing as one nobody holds', async () => {
    const nobody = sha(randomBytes(59));
    expect(await missing(member.token, w1.uuid, [sha(secret), nobody])).toEqual([sha(secret), nobody]);
    // The window that holds it is not told to upload it again.
    expect(await missing(owner.token, w2.uuid, [sha(secret), nobody])).toEqual([nobody]);
  });

  it('takes the bytes themselves as proof: an upload for the window links the blob, stored once per team', async () => {
    // Whoever sends the bytes knew them: the team's copy is reused, only the link is new.
    expect((await upload(member.token, w1.uuid, secret)).data).toEqual({ sha256: sha(secret), size: 59, stored: false });
    expect(await missing(member.token, w1.uuid, [sha(secret)])).toEqual([]);
    const first = await commit(member.token, w1.uuid, null, [{ path: 'cookies.sqlite', size: 59, sha256: sha(secret) }]);
    expect(first.data).toMatchObject({ version: 1 });
    expect(((await download(member.token, w1.uuid, sha(secret))).body as Buffer).equals(secret)).toBe(true);
    // The window's own versions dedup as before: the next commit names the blob without an upload.
    const places = randomBytes(80);
    expect(await missing(member.token, w1.uuid, [sha(secret), sha(places)])).toEqual([sha(places)]);
    await upload(member.token, w1.uuid, places);
    const second = await commit(member.token, w1.uuid, 1, [
      { path: 'cookies.sqlite', size: 59, sha256: sha(secret) },
      { path: 'places.sqlite', size: 80, sha256: sha(places) },
    ]);
    expect(second.data).toMatchObject({ version: 2 });
    const [{ n }] = await cloud.db.query(`SELECT count(*) AS n FROM profile_blobs WHERE team_id = $1 AND sha256 = $2`, [
      owner.teamId,
      sha(secret),
    ]);
    expect(Number(n)).toBe(1);
  });

  it('forgets the link of an upload no version of its window came to use, and the links of a deleted window', async () => {
    const w3 = await createWindow(cloud, owner);
    // The team keeps these bytes (w2's version uses them); w3's upload of them is never committed.
    await upload(owner.token, w3.uuid, secret);
    expect(await missing(owner.token, w3.uuid, [sha(secret)])).toEqual([]);
    await cloud.app.get(ProfileBlobs).collect(0);
    expect(await missing(owner.token, w3.uuid, [sha(secret)])).toEqual([sha(secret)]);
    expect((await commit(owner.token, w3.uuid, null, [{ path: 'cookies.sqlite', size: 59, sha256: sha(secret) }])).code).toBe(211);
    // A link a kept version uses stays: w1 still names its blobs.
    expect(await missing(member.token, w1.uuid, [sha(secret)])).toEqual([]);
    expect(await links(w1.id)).toBeGreaterThan(0);

    await cloud.post('/browser/delete', { id: w1.id }, owner.token);
    await cloud.post('/browser/recycle/delete', { ids: [w1.id] }, owner.token);
    expect(await links(w1.id)).toBe(0);
    expect((await download(owner.token, w2.uuid, sha(secret))).status).toBe(200);
  });
});
