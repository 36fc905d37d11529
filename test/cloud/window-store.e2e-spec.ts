import { ForbiddenError, NotFoundError, WindowIsOpenError } from '@cos/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { AuthContext } from '../../apps/cloud/src/access/auth-context';
import { WindowAccess } from '../../apps/cloud/src/windows/window-access';
import { WindowStore } from '../../apps/cloud/src/windows/window-store';
import { WindowsService } from '../../apps/cloud/src/windows/windows.service';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createGroup, createWindow, registerOwner } from '../support/factories';

/**
 * The access decisions and batch rules of the window services, called directly on a real
 * database, and the locks and writes of the store they go through.
 */
describe('window store and the rules above it', () => {
  let cloud: CloudHarness;
  let db: DataSource;
  let store: WindowStore;
  let access: WindowAccess;
  let windows: WindowsService;
  let owner: Account;
  let group: number;
  let ownerAuth: AuthContext;
  let memberAuth: AuthContext;

  const row = async (id: number) =>
    (await db.query(`SELECT name, config, deleted_at, open_status FROM windows WHERE id = $1`, [id]))[0] as
      { name: string; config: Record<string, unknown>; deleted_at: Date | null; open_status: string } | undefined;

  beforeAll(async () => {
    cloud = await startCloud();
    db = cloud.db;
    store = cloud.app.get(WindowStore);
    access = cloud.app.get(WindowAccess);
    windows = cloud.app.get(WindowsService);
    owner = await registerOwner(cloud);
    group = await createGroup(cloud, owner);
    const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'groups', groupIds: [group] });
    ownerAuth = new AuthContext(owner.userId, owner.teamId, 'owner', [], 'all', [], null, owner.deviceId);
    memberAuth = new AuthContext(member.userId, member.teamId, 'member', [], 'groups', [group], null, member.deviceId);
  });
  afterAll(() => cloud.close());

  const inTransaction = <T>(run: (manager: EntityManager) => Promise<T>) => db.transaction(run);

  it('answers unknown ids 404, and windows outside a member’s groups 404 to read and 403 to write', async () => {
    const mine = await createWindow(cloud, owner, { groupId: group });
    const outside = await createWindow(cloud, owner);
    const unknown = 2_000_000_000;

    const both = await inTransaction((m) => access.requireWindows(m, ownerAuth, [outside.id, mine.id], 'write'));
    expect(both.map((w) => w.id)).toEqual([mine.id, outside.id].sort((a, b) => a - b));
    await expect(inTransaction((m) => access.requireWindows(m, ownerAuth, [mine.id, unknown], 'write'))).rejects.toThrow(
      new NotFoundError(`Window ${unknown} not found`),
    );
    await expect(inTransaction((m) => access.requireWindows(m, ownerAuth, [mine.id], 'write', 'recycled'))).rejects.toThrow(
      new NotFoundError(`Window ${mine.id} not found in the recycle bin`),
    );
    await expect(inTransaction((m) => access.requireWindows(m, memberAuth, [mine.id, outside.id], 'read'))).rejects.toThrow(
      new NotFoundError(`Window ${outside.id} not found`),
    );
    await expect(inTransaction((m) => access.requireWindows(m, memberAuth, [mine.id, outside.id], 'write'))).rejects.toThrow(
      new ForbiddenError(`Window ${outside.id} outside your window scope`),
    );
    // One window named alone outside the scope is 404 like an unknown one, by id and by uuid.
    await expect(inTransaction((m) => access.requireWindow(m, memberAuth, { uuid: outside.uuid }, 'write'))).rejects.toThrow(
      new NotFoundError(`Window ${outside.uuid} not found`),
    );
    expect((await inTransaction((m) => access.requireWindow(m, memberAuth, { id: mine.id }, 'read'))).uuid).toBe(mine.uuid);
  });

  it('holds the rows a write names until its transaction ends; a read holds none', async () => {
    const window = await createWindow(cloud, owner);
    const other = db.createQueryRunner();
    await other.connect();
    const tryLock = () => other.query(`SELECT id FROM windows WHERE id = $1 FOR UPDATE NOWAIT`, [window.id]);
    try {
      await inTransaction(async (m) => {
        await store.forBatch(m, owner.teamId, [window.id], 'live', true);
        await expect(tryLock()).rejects.toMatchObject({ driverError: { code: '55P03' } });
      });
      await inTransaction(async (m) => {
        await store.find(m, owner.teamId, { uuid: window.uuid }, 'live', true);
        await expect(tryLock()).rejects.toMatchObject({ driverError: { code: '55P03' } });
      });
      await inTransaction(async (m) => {
        await store.forBatch(m, owner.teamId, [window.id], 'live', false);
        await store.find(m, owner.teamId, { id: window.id }, 'live', false);
        await expect(tryLock()).resolves.toEqual([{ id: window.id }]);
      });
    } finally {
      await other.release();
    }
  });

  it('changes nothing in a batch with a window outside the caller’s scope, and merges config into each window’s own', async () => {
    const mine = await createWindow(cloud, owner, { name: 'mine', groupId: group });
    const outside = await createWindow(cloud, owner, { name: 'outside' });
    await db.query(`UPDATE windows SET config = '{"kept": 1}'::jsonb WHERE id = ANY($1)`, [[mine.id, outside.id]]);

    await expect(windows.patch(memberAuth, [mine.id, outside.id], { name: 'renamed' })).rejects.toThrow(ForbiddenError);
    expect([(await row(mine.id))?.name, (await row(outside.id))?.name]).toEqual(['mine', 'outside']);

    expect(await windows.patch(ownerAuth, [mine.id, outside.id], { remark: 'both', config: { added: 2 } })).toEqual({ updated: 2 });
    for (const id of [mine.id, outside.id]) {
      expect(await row(id)).toMatchObject({ name: id === mine.id ? 'mine' : 'outside', config: { kept: 1, added: 2 } });
    }
  });

  it('bins nothing while one window of a batch is held by a live lease', async () => {
    const held = await createWindow(cloud, owner);
    const free = await createWindow(cloud, owner);
    await db.query(`UPDATE windows SET open_status = 'opened', open_lease_until = now() + interval '1 minute' WHERE id = $1`, [held.id]);
    await expect(windows.recycle(ownerAuth, { ids: [held.id, free.id] })).rejects.toThrow(new WindowIsOpenError([held.id]));
    expect([(await row(held.id))?.deleted_at, (await row(free.id))?.deleted_at]).toEqual([null, null]);

    // A lease that ran out holds nothing: the window is binned and its open state cleared.
    await db.query(`UPDATE windows SET open_lease_until = now() - interval '1 second' WHERE id = $1`, [held.id]);
    expect(await windows.recycle(ownerAuth, { ids: [held.id, free.id] })).toEqual({ deleted: 2 });
    expect(await row(held.id)).toMatchObject({ deleted_at: expect.any(Date), open_status: 'closed' });
  });

  it('empties only a limited member’s groups from the bin, and purges only what stayed past the retention period', async () => {
    const mine = await createWindow(cloud, owner, { groupId: group });
    const outside = await createWindow(cloud, owner);
    const old = await createWindow(cloud, owner);
    // Whatever earlier cases left in the bin goes first, so the counts below are this case's own.
    await windows.clearBin(ownerAuth);
    await windows.recycle(ownerAuth, { ids: [mine.id, outside.id, old.id] });

    expect(await windows.clearBin(memberAuth)).toEqual({ deleted: 1 });
    expect([await row(mine.id), await row(outside.id)]).toEqual([undefined, expect.objectContaining({ deleted_at: expect.any(Date) })]);

    await db.query(`UPDATE windows SET deleted_at = now() - interval '31 days' WHERE id = $1`, [old.id]);
    const gone = await inTransaction((m) => store.deleteBinnedBefore(m, 30));
    expect(gone).toEqual([{ id: old.id, team_id: owner.teamId, group_id: null }]);
    expect(await row(outside.id)).toMatchObject({ deleted_at: expect.any(Date) });
  });
});
