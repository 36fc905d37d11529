import { createHash, randomBytes } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { addMember, Account, createWindow, registerOwner } from '../support/factories';

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
/** What the trail shows of a session: a label that tells sessions apart, never the session id (half of a refresh token). */
const LABEL = expect.stringMatching(/^[0-9a-f]{16}$/);
const sessionIdOf = (accessToken: string) =>
  (JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as { sid: string }).sid;

/** Reads of a window's secrets (cookies, profile files) leave a row: who, which window, which session or token, which device. */
describe('reads of secrets in the audit trail', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let w: { id: number; uuid: string };
  let apiToken: { id: number; token: string; deviceId: string };
  const blob = randomBytes(3000);

  const trail = async (kind: string, windowId: number) =>
    (await cloud.post('/audit/list', { kind, windowId, pageSize: 100 }, owner.token)).data.list as {
      kind: string;
      actorId: number;
      windowId: number;
      deviceId: string | null;
      data: Record<string, unknown>;
    }[];
  const download = (token: string, uuid: string, hash: string, deviceId?: string) =>
    cloud
      .raw()
      .get(`/browser/profile/blob?uuid=${uuid}&sha256=${hash}${deviceId === undefined ? '' : `&deviceId=${encodeURIComponent(deviceId)}`}`)
      .set('Authorization', `Bearer ${token}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });

  beforeAll(async () => {
    cloud = await startCloud();
    owner = await registerOwner(cloud);
    w = await createWindow(cloud, owner);
    const cookie = { name: 'sid', value: 'secret', domain: 'shop.test', path: '/', secure: true, httpOnly: true, sameSite: 'lax' };
    expect(
      (await cloud.post('/browser/cookies/import', { uuid: w.uuid, cookies: [cookie, { ...cookie, name: 'b' }] }, owner.token)).code,
    ).toBe(0);
    apiToken = (await cloud.post('/auth/token/create', { name: 'exporter' }, owner.token)).data;
    const put = await cloud
      .raw()
      .put(`/browser/profile/blob?uuid=${w.uuid}&sha256=${sha(blob)}`)
      .set('Authorization', `Bearer ${owner.token}`)
      .set('Content-Type', 'application/octet-stream')
      .send(blob);
    expect(put.body.code).toBe(0);
    const committed = await cloud.post(
      '/browser/profile/commit',
      {
        uuid: w.uuid,
        deviceId: 'desk-1',
        commitId: randomUUID(),
        baseVersion: null,
        sync: { syncCookies: true },
        files: [{ path: 'cookies.sqlite', size: blob.length, sha256: sha(blob) }],
      },
      owner.token,
    );
    expect(committed.code).toBe(0);
  });
  afterAll(() => cloud.close());

  it('records each cookie export: who, which window, through which session or token, and the device the cloud issued to it', async () => {
    expect((await cloud.post('/browser/cookies/export', { uuid: w.uuid }, owner.token)).data.total).toBe(2);
    expect((await cloud.post('/browser/cookies/export', { id: w.id }, apiToken.token)).data.total).toBe(2);
    const member = await addMember(cloud, owner, { permissions: ['browser:list', 'browser:open'] });
    expect((await cloud.post('/browser/cookies/export', { uuid: w.uuid }, member.token)).code).toBe(0);

    const rows = await trail('window.cookies_exported', w.id);
    expect(rows.reverse()).toEqual([
      expect.objectContaining({
        actorId: owner.userId,
        windowId: w.id,
        deviceId: owner.deviceId,
        data: { count: 2, via: 'session', session: LABEL },
      }),
      expect.objectContaining({
        actorId: owner.userId,
        windowId: w.id,
        deviceId: apiToken.deviceId,
        data: { count: 2, via: 'token', tokenId: apiToken.id },
      }),
      expect.objectContaining({
        actorId: member.userId,
        windowId: w.id,
        deviceId: member.deviceId,
        data: expect.objectContaining({ via: 'session', session: LABEL }),
      }),
    ]);
    expect(rows[0].data.session).not.toBe(rows[2].data.session);
    const shown = JSON.stringify(rows);
    for (const account of [owner, member]) expect(shown).not.toContain(sessionIdOf(account.token));
  });

  it('writes no row for a refused export', async () => {
    const other = await registerOwner(cloud);
    const before = (await trail('window.cookies_exported', w.id)).length;
    expect((await cloud.post('/browser/cookies/export', { uuid: w.uuid }, other.token)).code).toBe(404);
    expect(await cloud.post('/browser/cookies/export', { uuid: w.uuid, deviceId: 'a b' }, owner.token)).toMatchObject({
      code: 211,
      msg: expect.stringContaining('deviceId'),
    });
    expect((await trail('window.cookies_exported', w.id)).length).toBe(before);
  });

  it("records profile downloads: a caller's restore (a blob per file) is one row, another credential another", async () => {
    for (let i = 0; i < 3; i++) expect(Buffer.compare((await download(owner.token, w.uuid, sha(blob))).body, blob)).toBe(0);
    expect(Buffer.compare((await download(apiToken.token, w.uuid, sha(blob))).body, blob)).toBe(0);

    const rows = await trail('window.profile_downloaded', w.id);
    expect(rows.reverse()).toEqual([
      expect.objectContaining({
        actorId: owner.userId,
        deviceId: owner.deviceId,
        data: { firstSha256: sha(blob), via: 'session', session: LABEL },
      }),
      expect.objectContaining({
        actorId: owner.userId,
        deviceId: apiToken.deviceId,
        data: { firstSha256: sha(blob), via: 'token', tokenId: apiToken.id },
      }),
    ]);

    // The same session has the same label in every row; its id in none.
    const exported = (await trail('window.cookies_exported', w.id)).find(
      (row) => row.actorId === owner.userId && row.data.via === 'session',
    );
    expect(rows[0].data.session).toBe(exported?.data.session);
    expect(JSON.stringify(rows)).not.toContain(sessionIdOf(owner.token));

    const bad = await download(owner.token, w.uuid, sha(blob), 'a b');
    expect(JSON.parse(bad.body.toString())).toMatchObject({ code: 211, msg: expect.stringContaining('deviceId') });
    const missing = await download(owner.token, w.uuid, 'f'.repeat(64));
    expect(JSON.parse(missing.body.toString())).toMatchObject({ code: 404 });
    expect(await trail('window.profile_downloaded', w.id)).toHaveLength(2);
  });
});
