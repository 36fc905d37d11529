import { randomUUID } from 'node:crypto';
import { startDeviceCloud } from '../support/device-cloud';
import { addMember, createWindow } from '../support/factories';

jest.setTimeout(60_000);

interface Listed {
  kind: string;
  actorId: number | null;
  actorEmail: string | null;
  windowId: number | null;
  windowName: string | null;
}

describe('names beside ids: the audit trail and profile versions', () => {
  let setup: Awaited<ReturnType<typeof startDeviceCloud>>;
  beforeAll(async () => (setup = await startDeviceCloud({})));
  afterAll(() => setup.close());

  it("names each event's actor by email and its window by name; a window deleted for good has no name and no error", async () => {
    const { cloud, owner } = setup;
    const member = await addMember(cloud, owner, { permissions: ['browser:list', 'browser:create:single'] });
    const kept = await createWindow(cloud, member, { name: 'Shop kept' });
    const gone = await createWindow(cloud, owner, { name: 'Shop gone' });
    expect((await cloud.post('/browser/delete', { ids: [gone.id] }, owner.token)).code).toBe(0);
    expect((await cloud.post('/browser/recycle/delete', { ids: [gone.id] }, owner.token)).code).toBe(0);

    const answer = await cloud.post('/audit/list', { pageSize: 100 }, owner.token);
    expect(answer.code).toBe(0);
    const list = answer.data.list as Listed[];
    const of = (kind: string, windowId: number) => list.find((e) => e.kind === kind && e.windowId === windowId);
    expect(of('window.created', kept.id)).toMatchObject({ actorId: member.userId, actorEmail: member.email, windowName: 'Shop kept' });
    expect(of('window.created', gone.id)).toMatchObject({ actorId: owner.userId, actorEmail: owner.email, windowName: null });
    expect(of('window.purged', gone.id)).toMatchObject({ actorEmail: owner.email, windowName: null });
    // Events of no window name none.
    expect(list.find((e) => e.kind === 'member.added')).toMatchObject({ actorEmail: owner.email, windowId: null, windowName: null });

    const byMember = await cloud.post('/audit/list', { actorId: member.userId }, owner.token);
    expect((byMember.data.list as Listed[]).every((e) => e.actorEmail === member.email)).toBe(true);
  });

  it('names the device a profile version came from by the hostname it registered with', async () => {
    const { cloud, owner } = setup;
    const w = await createWindow(cloud, owner);
    const commit = await cloud.post(
      '/browser/profile/commit',
      { uuid: w.uuid, commitId: randomUUID(), baseVersion: null, sync: {}, files: [] },
      owner.token,
    );
    expect(commit.code).toBe(0);
    const versions = await cloud.post('/browser/profile/versions', { uuid: w.uuid }, owner.token);
    expect(versions.data.list).toEqual([expect.objectContaining({ version: 1, deviceId: owner.deviceId, deviceName: 'desk' })]);
    // The audit trail names the device the same way; one the team never saw has no name.
    const trail = await cloud.post('/audit/list', { windowId: w.id, kind: 'window.profile_committed' }, owner.token);
    expect(trail.data.list).toEqual([expect.objectContaining({ deviceId: owner.deviceId, deviceName: 'desk' })]);
    const online = await cloud.post('/audit/list', { kind: 'device.online' }, owner.token);
    expect(online.data.list[0]).toMatchObject({ deviceId: owner.deviceId, deviceName: 'desk' });
  });
});
