import { randomUUID } from 'node:crypto';
import { CloudClient } from '@cos/cloud-client';
import type { CloudSession } from '@cos/cloud-client';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createWindow, registerOwner, signIn, snapshot } from '../support/factories';

const COOKIE = {
  name: 'sid',
  value: 'holder',
  domain: '.example.com',
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'lax',
  expiry: 2_000_000_000,
};

/**
 * The device that holds a window and signs a profile version is the one the cloud issued to the
 * caller's login session or API token. A device id a client states is not believed, so knowing
 * the holder's id (it is in /browser/detail) lets nobody else write the window.
 */
describe('devices issued by the cloud', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let member: Account;
  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    owner = await registerOwner(cloud);
    member = await addMember(cloud, owner, { permissions: ['browser:open', 'browser:list'] });
  });
  afterAll(() => cloud.close());

  it('issues a device per login session and per API token, and keeps it through a refresh', async () => {
    const device = /^dev-[0-9a-f-]{36}$/;
    expect(owner.deviceId).toMatch(device);
    expect((await cloud.post('/auth/me', {}, owner.token)).data.deviceId).toBe(owner.deviceId);
    const again = await cloud.post('/auth/login', { email: owner.email, password: owner.password });
    expect(again.data.deviceId).toMatch(device);
    expect(again.data.deviceId).not.toBe(owner.deviceId);
    const refreshed = await cloud.post('/auth/refresh', { refreshToken: again.data.refreshToken });
    expect((await cloud.post('/auth/me', {}, refreshed.data.accessToken)).data.deviceId).toBe(again.data.deviceId);

    const token = await cloud.post('/auth/token/create', { name: 'script' }, owner.token);
    expect(token.data.deviceId).toMatch(device);
    expect(token.data.deviceId).not.toBe(owner.deviceId);
    expect((await cloud.post('/auth/me', {}, token.data.token)).data.deviceId).toBe(token.data.deviceId);
    expect((await cloud.post('/auth/token/list', {}, owner.token)).data.list[0]).toMatchObject({ deviceId: token.data.deviceId });
  });

  it("leases a window to the caller's issued device, whatever device id the body states", async () => {
    const w = await createWindow(cloud, owner);
    const launch = await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: member.deviceId }, owner.token);
    expect(launch.data.window.openDeviceId).toBe(owner.deviceId);
    const token = (await cloud.post('/auth/token/create', { name: 'agent' }, owner.token)).data;
    const scripted = await createWindow(cloud, owner);
    expect((await cloud.post('/browser/launch', { uuid: scripted.uuid }, token.token)).data.window.openDeviceId).toBe(token.deviceId);
    // The login session is another device than the token: it may not close the token's window.
    expect((await cloud.post('/browser/close', { uuid: scripted.uuid }, owner.token)).code).toBe(409);
    expect((await cloud.post('/browser/close', { uuid: scripted.uuid }, token.token)).code).toBe(0);
    expect((await cloud.post('/browser/close', { uuid: w.uuid }, owner.token)).code).toBe(0);
  });

  it("a teammate who sends the holder's device id cannot commit, close or report for the held window: 409, nothing changed", async () => {
    const w = await createWindow(cloud, owner, { config: { syncCookies: true } });
    // The holder states a device id of its choosing, as agents did before the cloud issued them.
    expect((await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'desk-1' }, owner.token)).code).toBe(0);
    const holder = (await cloud.post('/browser/detail', { uuid: w.uuid }, member.token)).data.openDeviceId;
    expect(holder).toBe(owner.deviceId);

    const before = await snapshot(cloud);
    const elsewhere = { code: 409, msg: `Window ${w.uuid} is open on another device`, data: {} };
    const forged = [COOKIE].map((c) => ({ ...c, value: 'forged' }));
    for (const deviceId of [holder, 'desk-1']) {
      const commit = { uuid: w.uuid, deviceId, commitId: randomUUID(), baseVersion: null, sync: {}, files: [], cookies: forged };
      expect(await cloud.post('/browser/profile/commit', commit, member.token)).toEqual(elsewhere);
      expect(await cloud.post('/browser/close', { uuid: w.uuid, deviceId, cookies: forged }, member.token)).toEqual(elsewhere);
      expect(await cloud.post('/browser/open-status/update', { uuid: w.uuid, deviceId, status: 'closed' }, member.token)).toEqual(
        elsewhere,
      );
    }
    // The owner's own second session is another device too: the lease is the session's, not the member's.
    const laptop = await signIn(cloud, owner);
    expect(await cloud.post('/browser/close', { uuid: w.uuid, deviceId: holder, cookies: forged }, laptop.token)).toEqual(elsewhere);
    expect(await snapshot(cloud)).toBe(before);

    // The holder's own close still stores its cookies.
    expect(await cloud.post('/browser/close', { uuid: w.uuid, cookies: [COOKIE] }, owner.token)).toMatchObject({
      code: 0,
      data: { cookiesSynced: true, cookieCount: 1 },
    });
    expect((await cloud.post('/browser/cookies/export', { uuid: w.uuid }, owner.token)).data.cookies).toEqual([COOKIE]);
  });

  it('records who made each profile version, the member and their issued device, and lists it', async () => {
    const w = await createWindow(cloud, owner);
    const author = await addMember(cloud, owner, { permissions: ['browser:open', 'browser:list'] });
    const token = (await cloud.post('/auth/token/create', { name: 'sync script' }, author.token)).data;
    const commit = (base: number | null, by: string) =>
      cloud.post('/browser/profile/commit', { uuid: w.uuid, commitId: randomUUID(), baseVersion: base, sync: {}, files: [] }, by);
    expect((await commit(null, owner.token)).code).toBe(0);
    expect(await commit(1, token.token)).toMatchObject({
      code: 0,
      data: { version: 2, createdBy: author.userId, createdByEmail: author.email, deviceId: token.deviceId, via: 'api-token' },
    });
    expect((await cloud.post('/browser/profile/restore', { uuid: w.uuid, version: 1 }, owner.token)).code).toBe(0);
    // A version from before devices were issued: its device id was the client's word.
    await cloud.db.query(`UPDATE profile_versions SET created_via = NULL, device_id = 'desk-1' WHERE window_id = $1 AND version = 1`, [
      w.id,
    ]);
    // The author leaves the team: their versions still say who made them.
    expect((await cloud.post('/team/member/remove', { userId: author.userId }, owner.token)).code).toBe(0);

    const listed = await cloud.post('/browser/profile/versions', { uuid: w.uuid }, member.token);
    const by = (v: Record<string, unknown>) => ({
      version: v.version,
      createdBy: v.createdBy,
      createdByEmail: v.createdByEmail,
      deviceId: v.deviceId,
      via: v.via,
      apiTokenId: v.apiTokenId,
    });
    expect(listed.data.list.map(by)).toEqual([
      { version: 3, createdBy: owner.userId, createdByEmail: owner.email, deviceId: owner.deviceId, via: 'session', apiTokenId: null },
      {
        version: 2,
        createdBy: author.userId,
        createdByEmail: author.email,
        deviceId: token.deviceId,
        via: 'api-token',
        apiTokenId: token.id,
      },
      { version: 1, createdBy: owner.userId, createdByEmail: owner.email, deviceId: 'desk-1', via: null, apiTokenId: null },
    ]);
  });

  it("a login may go on as its member's earlier device, which ends that session and keeps its lease; no one else's", async () => {
    const first = await signIn(cloud, owner);
    const w = await createWindow(cloud, owner);
    expect((await cloud.post('/browser/launch', { uuid: w.uuid }, first.token)).code).toBe(0);
    const login = (who: Account, deviceId: string) => cloud.post('/auth/login', { email: who.email, password: who.password, deviceId });
    const again = await login(owner, first.deviceId);
    expect(again.data.deviceId).toBe(first.deviceId);
    expect((await cloud.post('/auth/me', {}, first.token)).code).toBe(401);
    expect((await cloud.post('/browser/close', { uuid: w.uuid }, again.data.accessToken)).code).toBe(0);

    // Another member's device, and an API token's, cannot be taken: a new device is issued and theirs goes on.
    const token = (await cloud.post('/auth/token/create', { name: 'kept' }, owner.token)).data;
    for (const deviceId of [owner.deviceId, token.deviceId]) {
      const other = await login(member, deviceId);
      expect(other.data.deviceId).toMatch(/^dev-/);
      expect(other.data.deviceId).not.toBe(deviceId);
    }
    expect((await cloud.post('/auth/me', {}, owner.token)).data.deviceId).toBe(owner.deviceId);
    expect((await cloud.post('/auth/me', {}, token.token)).data.deviceId).toBe(token.deviceId);
  });

  it("the agent's client signs in again as the device it was issued, so its running windows stay its own", async () => {
    let stored: CloudSession | null = null;
    const client = new CloudClient(cloud.url, { load: () => stored, save: (s) => (stored = s), clear: () => (stored = null) });
    const first = await client.login(owner.email, owner.password);
    const w = await createWindow(cloud, owner);
    expect((await client.call('/browser/launch', { uuid: w.uuid })).code).toBe(0);
    const second = await client.login(owner.email, owner.password);
    expect(second.deviceId).toBe(first.deviceId);
    expect(await client.call('/browser/close', { uuid: w.uuid })).toMatchObject({ code: 0 });
  });
});
