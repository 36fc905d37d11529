import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createWindow, registerOwner } from '../support/factories';

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
    cloud = await startCloud();
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
});
