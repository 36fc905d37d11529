import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createWindow, registerOwner, snapshot } from '../support/factories';

const cookie = (name: string, value: string, extra: Record<string, unknown> = {}) => ({
  name,
  value,
  domain: '.shop.test',
  path: '/',
  secure: true,
  httpOnly: false,
  sameSite: 'lax',
  ...extra,
});

describe("a window's stored cookies: export and import", () => {
  let cloud: CloudHarness;
  let owner: Account;

  beforeAll(async () => {
    cloud = await startCloud();
    owner = await registerOwner(cloud);
  });
  afterAll(() => cloud.close());

  it('merges by name, domain and path, replaces on request, and the next launch starts with them', async () => {
    const w = await createWindow(cloud, owner);
    const first = await cloud.post(
      '/browser/cookies/import',
      { uuid: w.uuid, cookies: [cookie('sid', 'one', { expiry: 1900000000 }), cookie('pref', 'dark')] },
      owner.token,
    );
    expect(first).toMatchObject({ code: 0, data: { id: w.id, uuid: w.uuid, mode: 'merge', imported: 2, total: 2 } });

    const merged = await cloud.post(
      '/browser/cookies/import',
      { id: w.id, cookies: [cookie('sid', 'two'), cookie('sid', 'other', { path: '/x' })] },
      owner.token,
    );
    expect(merged.data).toMatchObject({ imported: 2, total: 3 });
    const exported = await cloud.post('/browser/cookies/export', { uuid: w.uuid }, owner.token);
    expect(exported.data).toMatchObject({ id: w.id, total: 3, openDeviceId: null });
    expect(exported.data.cookies).toEqual([cookie('sid', 'two'), cookie('pref', 'dark'), cookie('sid', 'other', { path: '/x' })]);

    const replaced = await cloud.post(
      '/browser/cookies/import',
      { uuid: w.uuid, mode: 'replace', cookies: [cookie('only', '1')] },
      owner.token,
    );
    expect(replaced.data).toMatchObject({ mode: 'replace', imported: 1, total: 1 });
    const launch = await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'desk' }, owner.token);
    expect(launch.data.cookies).toEqual([cookie('only', '1')]);
    // Merges added to the cookie jar a device's profile holds; the replace started a new one, and the launch says so.
    expect(launch.data.cookiesEpoch).toBe(1);

    const audit = await cloud.post('/audit/list', { windowId: w.id, kind: 'window.cookies_imported' }, owner.token);
    expect(audit.data.list.map((e: { data: unknown }) => e.data)).toEqual([
      { mode: 'replace', imported: 1, total: 1 },
      { mode: 'merge', imported: 2, total: 3 },
      { mode: 'merge', imported: 2, total: 2 },
    ]);
  });

  it('a device whose lease ran out while its close was on the way cannot bring back cookies an import replaced since', async () => {
    const w = await createWindow(cloud, owner, { config: { syncCookies: true } });
    const launched = await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'laptop-2' }, owner.token);
    const epoch = launched.data.cookiesEpoch;
    // The device went quiet: its lease ran out, and someone replaced the window's cookies.
    await cloud.db.query(`UPDATE windows SET open_lease_until = now() - interval '1 second' WHERE id = $1`, [w.id]);
    expect(
      (await cloud.post('/browser/cookies/import', { uuid: w.uuid, mode: 'replace', cookies: [cookie('fresh', '1')] }, owner.token)).code,
    ).toBe(0);
    const stale = [cookie('stale', 'old')];
    const commit = await cloud.post(
      '/browser/profile/commit',
      {
        uuid: w.uuid,
        deviceId: 'laptop-2',
        commitId: '6f1c2d3e-0000-4000-8000-0000000000cc',
        baseVersion: null,
        sync: {},
        files: [],
        cookies: stale,
        cookiesEpoch: epoch,
      },
      owner.token,
    );
    expect(commit).toMatchObject({ code: 0, data: { version: 1 } });
    const closed = await cloud.post(
      '/browser/close',
      { uuid: w.uuid, deviceId: 'laptop-2', cookies: stale, cookiesEpoch: epoch },
      owner.token,
    );
    expect(closed).toMatchObject({ code: 0, data: { cookiesSynced: false, cookieCount: 0 } });
    expect((await cloud.post('/browser/cookies/export', { uuid: w.uuid }, owner.token)).data.cookies).toEqual([cookie('fresh', '1')]);
    // Cookies of the current epoch are stored as always.
    const next = await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'laptop-2' }, owner.token);
    const current = [cookie('now', '2')];
    const ok = await cloud.post(
      '/browser/close',
      { uuid: w.uuid, deviceId: 'laptop-2', cookies: current, cookiesEpoch: next.data.cookiesEpoch },
      owner.token,
    );
    expect(ok).toMatchObject({ code: 0, data: { cookiesSynced: true, cookieCount: 1 } });
    expect((await cloud.post('/browser/cookies/export', { uuid: w.uuid }, owner.token)).data.cookies).toEqual(current);
  });

  it('a window held by a device is not written behind its back: 409 naming the device, nothing changed', async () => {
    const w = await createWindow(cloud, owner);
    await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'laptop-1' }, owner.token);
    const before = await snapshot(cloud);
    const refused = await cloud.post('/browser/cookies/import', { uuid: w.uuid, cookies: [cookie('a', 'b')] }, owner.token);
    expect(refused).toEqual({ code: 409, msg: expect.stringContaining(`open on device ${owner.deviceId}`), data: {} });
    expect(await snapshot(cloud)).toBe(before);
    // Reading is fine, and says who holds newer cookies.
    const exported = await cloud.post('/browser/cookies/export', { uuid: w.uuid }, owner.token);
    expect(exported.data).toMatchObject({ total: 0, openDeviceId: owner.deviceId });
  });

  it('a merge that would pass the per-window limit is refused whole', async () => {
    const w = await createWindow(cloud, owner);
    const batch = (from: number) => Array.from({ length: 10_000 }, (_, i) => cookie(`c${from + i}`, 'v'));
    expect((await cloud.post('/browser/cookies/import', { uuid: w.uuid, cookies: batch(0) }, owner.token)).code).toBe(0);
    expect((await cloud.post('/browser/cookies/import', { uuid: w.uuid, cookies: batch(10_000) }, owner.token)).data.total).toBe(20_000);
    const before = await snapshot(cloud);
    const over = await cloud.post('/browser/cookies/import', { uuid: w.uuid, cookies: [cookie('one-more', 'v')] }, owner.token);
    expect(over).toEqual({ code: 211, msg: 'cookies: the window would hold 20001 cookies, at most 20000', data: {} });
    expect(await snapshot(cloud)).toBe(before);
  });
});
