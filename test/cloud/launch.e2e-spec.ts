import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createWindow, registerOwner, signIn, snapshot } from '../support/factories';

const COOKIE = {
  name: 'sid',
  value: 'abc',
  domain: '.example.com',
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'lax',
  expiry: 2_000_000_000,
};

describe('agent-facing endpoints: launch, lease, close', () => {
  let cloud: CloudHarness;
  let owner: Account;
  /** The owner signed in a second time: another device. */
  let laptop: Account;
  beforeAll(async () => {
    cloud = await startCloud({ env: { WINDOW_LEASE_SECONDS: '30' } });
    owner = await registerOwner(cloud);
    laptop = await signIn(cloud, owner);
  });
  afterAll(() => cloud.close());

  it('hands the agent the window, the proxy password in the clear, sync settings and cookies', async () => {
    const w = await createWindow(cloud, owner, {
      proxyType: 'socks5',
      host: '127.0.0.1',
      port: 1080,
      proxyUserName: 'u',
      proxyPassword: 'p@ss',
      config: { syncHistory: false },
      browserFingerPrint: { timezone: 'Asia/Tokyo' },
    });
    const res = await cloud.post('/browser/launch', { uuid: w.uuid }, owner.token);
    expect(res.code).toBe(0);
    expect(res.data).toMatchObject({
      window: {
        uuid: w.uuid,
        browserFingerPrint: { timezone: 'Asia/Tokyo' },
        openStatus: 'opening',
        openDeviceId: owner.deviceId,
        proxyPassword: '',
      },
      proxy: { proxyType: 'socks5', host: '127.0.0.1', port: 1080, proxyUserName: 'u', proxyPassword: 'p@ss' },
      sync: { syncCookies: true, syncHistory: false, syncPasswords: true },
      cookies: [],
      profile: null,
      leaseSeconds: 30,
    });
    expect(res.data.proxy).not.toHaveProperty('hasProxyPassword');
  });

  it('holds a window for one device until it closes or the lease runs out', async () => {
    const w = await createWindow(cloud, owner);
    expect((await cloud.post('/browser/launch', { uuid: w.uuid }, owner.token)).code).toBe(0);
    const opened = await cloud.post('/browser/open-status/update', { uuid: w.uuid, status: 'opened', pid: 4321 }, owner.token);
    expect(opened.data).toMatchObject({ openStatus: 'opened', leaseSeconds: 30 });
    expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data).toMatchObject({
      openStatus: 'opened',
      openDeviceId: owner.deviceId,
    });
    expect((await cloud.post('/browser/list', { openStatus: 'opened' }, owner.token)).data.list.map((x: { id: number }) => x.id)).toContain(
      w.id,
    );

    const before = await snapshot(cloud);
    expect(await cloud.post('/browser/launch', { uuid: w.uuid }, laptop.token)).toEqual({
      code: 409,
      msg: `Window ${w.uuid} is open on another device`,
      data: {},
    });
    expect((await cloud.post('/browser/open-status/update', { uuid: w.uuid, status: 'opened' }, laptop.token)).code).toBe(409);
    expect((await cloud.post('/browser/close', { uuid: w.uuid, cookies: [COOKIE] }, laptop.token)).code).toBe(409);
    expect(await snapshot(cloud)).toBe(before);

    // the device stops renewing: the lease lapses, the window reads as closed and another device may open it
    await cloud.db.query(`UPDATE windows SET open_lease_until = now() - interval '1 second' WHERE id = $1`, [w.id]);
    expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data).toMatchObject({
      openStatus: 'closed',
      openDeviceId: null,
    });
    expect(
      (await cloud.post('/browser/list', { openStatus: 'closed', pageSize: 100 }, owner.token)).data.list.map((x: { id: number }) => x.id),
    ).toContain(w.id);
    expect((await cloud.post('/browser/launch', { uuid: w.uuid }, laptop.token)).code).toBe(0);
  });

  it('renews the lease on every status report', async () => {
    const w = await createWindow(cloud, owner);
    await cloud.post('/browser/launch', { uuid: w.uuid }, owner.token);
    await cloud.db.query(`UPDATE windows SET open_lease_until = now() + interval '1 second' WHERE id = $1`, [w.id]);
    await cloud.post('/browser/open-status/update', { uuid: w.uuid, status: 'opened' }, owner.token);
    const [row] = await cloud.db.query(`SELECT extract(epoch FROM open_lease_until - now()) AS left FROM windows WHERE id = $1`, [w.id]);
    expect(Number(row.left)).toBeGreaterThan(25);
  });

  it("stores the browser's cookies at close only when the window syncs cookies", async () => {
    const syncing = await createWindow(cloud, owner);
    const notSyncing = await createWindow(cloud, owner, { config: { syncCookies: false } });
    for (const w of [syncing, notSyncing]) await cloud.post('/browser/launch', { uuid: w.uuid }, owner.token);
    const profile = { zipName: `${syncing.uuid}.zip`, zipSize: 1234, sha256: 'a'.repeat(64) };
    const closed = await cloud.post('/browser/close', { uuid: syncing.uuid, cookies: [COOKIE], profile }, owner.token);
    expect(closed).toMatchObject({ code: 0, data: { cookiesSynced: true, cookieCount: 1, profile } });
    expect((await cloud.post('/browser/close', { uuid: notSyncing.uuid, cookies: [COOKIE] }, owner.token)).data).toMatchObject({
      cookiesSynced: false,
    });

    const relaunch = await cloud.post('/browser/launch', { uuid: syncing.uuid }, owner.token);
    expect(relaunch.data).toMatchObject({ cookies: [COOKIE], profile, window: { openStatus: 'opening' } });
    expect((await cloud.post('/browser/launch', { uuid: notSyncing.uuid }, owner.token)).data.cookies).toEqual([]);
    expect((await cloud.post('/browser/detail', { uuid: syncing.uuid }, owner.token)).data).not.toHaveProperty('cookies');
  });

  it('records a close only from the device the window was launched on: anyone else gets 409 and nothing changes', async () => {
    const w = await createWindow(cloud, owner, { config: { syncCookies: true } });
    const teammate = await addMember(cloud, owner, { permissions: ['browser:open'] });
    const forged = { ...COOKIE, value: 'forged' };
    const profile = { zipName: `${w.uuid}.zip`, zipSize: 1, sha256: 'f'.repeat(64) };
    const notHere = { code: 409, msg: `Window ${w.uuid} is not open on this device`, data: {} };
    const lapse = () => cloud.db.query(`UPDATE windows SET open_lease_until = now() - interval '1 second' WHERE id = $1`, [w.id]);
    const unchanged = async (attempt: () => Promise<void>) => {
      const before = await snapshot(cloud);
      const [audit] = await cloud.db.query(`SELECT count(*)::int AS n FROM audit_events`);
      await attempt();
      expect(await snapshot(cloud)).toBe(before);
      expect((await cloud.db.query(`SELECT count(*)::int AS n FROM audit_events`))[0].n).toBe(audit.n);
    };
    const close = (who: Account, cookies = [forged]) => cloud.post('/browser/close', { uuid: w.uuid, cookies, profile }, who.token);

    // Never launched anywhere.
    await unchanged(async () => expect(await close(teammate)).toEqual(notHere));
    // Launched on the owner's device, whose lease then lapsed: the window is still that device's.
    expect((await cloud.post('/browser/launch', { uuid: w.uuid }, owner.token)).code).toBe(0);
    await lapse();
    await unchanged(async () => {
      expect(await close(teammate)).toEqual(notHere);
      expect(await close(laptop)).toEqual(notHere);
    });
    // The holder's close retried after its lease lapsed, nobody having launched the window since, lands.
    expect(await close(owner, [COOKIE])).toMatchObject({ code: 0, data: { cookiesSynced: true, cookieCount: 1, profile } });
    // Once closed the window is no device's: the same close again, or anyone's, writes nothing.
    await unchanged(async () => {
      expect(await close(owner)).toEqual(notHere);
      expect(await close(teammate)).toEqual(notHere);
    });

    // Another device launched it after the owner's lease lapsed: the owner's late close overwrites nothing,
    // while that device holds it, once its lease lapsed too, and after it closed.
    expect((await cloud.post('/browser/launch', { uuid: w.uuid }, owner.token)).code).toBe(0);
    await lapse();
    expect((await cloud.post('/browser/launch', { uuid: w.uuid }, laptop.token)).code).toBe(0);
    await unchanged(async () => expect((await close(owner)).code).toBe(409));
    await lapse();
    await unchanged(async () => expect(await close(owner)).toEqual(notHere));
    const fresh = { ...COOKIE, value: 'laptop' };
    expect(await close(laptop, [fresh])).toMatchObject({ code: 0, data: { cookiesSynced: true } });
    await unchanged(async () => expect(await close(owner)).toEqual(notHere));
    expect((await cloud.post('/browser/cookies/export', { uuid: w.uuid }, owner.token)).data.cookies).toEqual([fresh]);
  });

  it('refuses a window in the recycle bin, out of scope, or without browser:open', async () => {
    const w = await createWindow(cloud, owner);
    await cloud.post('/browser/delete', { id: w.id }, owner.token);
    expect(await cloud.post('/browser/launch', { uuid: w.uuid }, owner.token)).toMatchObject({
      code: 409,
      msg: expect.stringContaining('recycle bin'),
    });
    const other = await createWindow(cloud, owner);
    const viewer = await addMember(cloud, owner, { permissions: ['browser:list'] });
    expect(await cloud.post('/browser/launch', { uuid: other.uuid }, viewer.token)).toMatchObject({
      code: 403,
      msg: expect.stringContaining('browser:open'),
    });
    const stranger = await registerOwner(cloud);
    expect((await cloud.post('/browser/launch', { uuid: other.uuid }, stranger.token)).code).toBe(404);
  });

  it('checks every field', async () => {
    const w = await createWindow(cloud, owner);
    const before = await snapshot(cloud);
    for (const [body, msg] of [
      [{ uuid: 'x', deviceId: 'd' }, 'uuid must be a window UUID'],
      [{ uuid: w.uuid, deviceId: 'has space' }, 'deviceId'],
      [{ uuid: w.uuid, deviceId: 'd', extra: 1 }, 'property extra should not exist'],
    ] as const) {
      expect(await cloud.post('/browser/launch', body, owner.token)).toEqual({ code: 211, msg: expect.stringContaining(msg), data: {} });
    }
    expect(
      (await cloud.post('/browser/open-status/update', { uuid: w.uuid, deviceId: 'd', status: 'running' }, owner.token)).msg,
    ).toContain('status must be one of');
    expect(
      (await cloud.post('/browser/close', { uuid: w.uuid, deviceId: 'd', cookies: [{ ...COOKIE, sameSite: 'weird' }] }, owner.token)).code,
    ).toBe(211);
    expect((await cloud.post('/browser/close', { uuid: w.uuid, deviceId: 'd', cookies: 'x' }, owner.token)).code).toBe(211);
    expect(
      (
        await cloud.post(
          '/browser/close',
          { uuid: w.uuid, deviceId: 'd', profile: { zipName: 'a.zip', zipSize: 1, sha256: 'x' } },
          owner.token,
        )
      ).code,
    ).toBe(211);
    expect(await snapshot(cloud)).toBe(before);
  });
});
