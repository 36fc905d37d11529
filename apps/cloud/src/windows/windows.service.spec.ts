/* eslint-disable @typescript-eslint/require-await -- the fake store answers at once, through the store's promises */
import { EntityManager } from 'typeorm';
import { ResultCode, WindowRef } from '@cos/contracts';
import { InMemoryTeams } from '../accounts/team-store.fake';
import { AuditRecorder } from '../audit/audit-log.fake';
import { fakeOf, transactions } from '../common/unit.fake';
import { AuthContext } from '../access/auth-context';
import type { TeamStore } from '../accounts/team-store';
import type { AuditLog } from '../audit/audit-log';
import type { CloudConfig } from '../config/cloud-config';
import type { SecretBox } from '../crypto/secret-box';
import { IdentityGenerator } from '../fingerprints/identity-generator';
import type { GroupStore } from '../groups/group-store';
import type { ProxyStore } from '../proxies/proxy-store';
import type { TagStore } from '../tags/tag-store';
import type { ListPages } from './list-pages';
import type { ListTotals } from './list-totals';
import { WindowAccess } from './window-access';
import type { WindowDetails } from './window-details';
import type { BatchWindow, Bin, GoneWindow, WindowChanges, WindowStore } from './window-store';
import type { WindowEntity } from './window.entity';
import { WindowsService } from './windows.service';

type Row = BatchWindow & { teamId: number; uuid: string; deletedAt: Date | null; changes: WindowChanges[] };

/** The windows table as the batch rules and access checks see it. */
class InMemoryWindows implements Pick<
  WindowStore,
  'forBatch' | 'find' | 'update' | 'moveToBin' | 'takeFromBin' | 'deleteForGood' | 'deleteBinned'
> {
  readonly rows: Row[] = [];
  /** Each `forBatch` read: whether it locked. */
  readonly locks: boolean[] = [];

  add(teamId: number, groupId: number | null, fields: Partial<Row> = {}): Row {
    const id = this.rows.length + 1;
    const row = {
      id,
      teamId,
      groupId,
      uuid: `uuid-${id}`,
      openStatus: 'closed',
      openLeaseUntil: null,
      deletedAt: null,
      changes: [],
      ...fields,
    } as Row;
    this.rows.push(row);
    return row;
  }

  private inBin(row: Row, bin: Bin) {
    return (row.deletedAt !== null) === (bin === 'recycled');
  }

  async forBatch(_m: EntityManager, teamId: number, ids: readonly number[], bin: Bin, lock: boolean) {
    this.locks.push(lock);
    return this.rows.filter((r) => r.teamId === teamId && ids.includes(r.id) && this.inBin(r, bin)).sort((a, b) => a.id - b.id);
  }
  async find(_m: EntityManager, teamId: number, ref: WindowRef, bin: Bin) {
    const row = this.rows.find(
      (r) =>
        r.teamId === teamId &&
        this.inBin(r, bin) &&
        (ref.id === undefined || r.id === ref.id) &&
        (ref.uuid === undefined || r.uuid === ref.uuid),
    );
    return (row ?? null) as unknown as WindowEntity | null;
  }
  async update(_m: EntityManager, ids: readonly number[], changes: WindowChanges) {
    for (const row of this.rows) if (ids.includes(row.id)) row.changes.push(changes);
  }
  async moveToBin(_m: EntityManager, ids: readonly number[]) {
    for (const row of this.rows)
      if (ids.includes(row.id)) Object.assign(row, { deletedAt: new Date(), openStatus: 'closed', openLeaseUntil: null });
  }
  async takeFromBin(_m: EntityManager, ids: readonly number[]) {
    for (const row of this.rows) if (ids.includes(row.id)) row.deletedAt = null;
  }
  async deleteForGood(_m: EntityManager, ids: readonly number[]) {
    return this.remove((r) => ids.includes(r.id));
  }
  async deleteBinned(_m: EntityManager, teamId: number, groupIds: readonly number[] | null) {
    return this.remove(
      (r) => r.teamId === teamId && r.deletedAt !== null && (groupIds === null || (r.groupId !== null && groupIds.includes(r.groupId))),
    );
  }
  private remove(gone: (row: Row) => boolean): GoneWindow[] {
    const removed = this.rows.filter(gone);
    this.rows.splice(0, this.rows.length, ...this.rows.filter((r) => !gone(r)));
    return removed.map((r) => ({ id: r.id, team_id: r.teamId, group_id: r.groupId }));
  }
}

/** The access decisions and batch rules of windows, on an in-memory store. */
describe('WindowsService and WindowAccess', () => {
  const TEAM = 1;
  const MINE = 10;
  const OTHER = 20;
  const owner = new AuthContext(1, TEAM, 'owner', [], 'all', [], 's', 'dev-1');
  const limited = new AuthContext(2, TEAM, 'member', [], 'groups', [MINE], 's', 'dev-2');
  let store: InMemoryWindows;
  let audit: AuditRecorder;
  let access: WindowAccess;
  let service: WindowsService;

  beforeEach(() => {
    store = new InMemoryWindows();
    audit = new AuditRecorder();
    const groups = fakeOf<GroupStore>({ holdShared: async (_m, teamId, id) => teamId === TEAM && [MINE, OTHER].includes(id) });
    access = new WindowAccess(fakeOf<WindowStore>(store), groups, fakeOf<TagStore>({}), fakeOf<ProxyStore>({}));
    service = new WindowsService(
      transactions(),
      fakeOf<WindowStore>(store),
      fakeOf<TeamStore>(new InMemoryTeams()),
      access,
      fakeOf<WindowDetails>({}),
      fakeOf<SecretBox>({}),
      fakeOf<AuditLog>(audit),
      fakeOf<ListTotals>({}),
      fakeOf<ListPages>({}),
      new IdentityGenerator({ firefoxMajor: 153 } as CloudConfig),
    );
  });

  const inTransaction = <T>(run: (m: EntityManager) => Promise<T>) => transactions().transaction(run);
  const refusal = (code: ResultCode, message: string) => ({ code, message });

  describe('access', () => {
    it('answers unknown and other teams’ windows 404, naming each, and locks only for writes', async () => {
      const a = store.add(TEAM, null);
      const theirs = store.add(TEAM + 1, null);
      await expect(inTransaction((m) => access.requireWindows(m, owner, [a.id, theirs.id, 99], 'write'))).rejects.toMatchObject(
        refusal(ResultCode.NotFound, `Windows ${theirs.id}, 99 not found`),
      );
      expect(await inTransaction((m) => access.requireWindows(m, owner, [a.id], 'read'))).toEqual([a]);
      expect(store.locks).toEqual([true, false]);
      await expect(inTransaction((m) => access.requireWindows(m, owner, [a.id], 'write', 'recycled'))).rejects.toMatchObject(
        refusal(ResultCode.NotFound, `Window ${a.id} not found in the recycle bin`),
      );
    });

    it('answers windows outside a member’s groups 404 to read and 403 to write; one named alone is 404 either way', async () => {
      const mine = store.add(TEAM, MINE);
      const outside = store.add(TEAM, OTHER);
      const ungrouped = store.add(TEAM, null);
      await expect(
        inTransaction((m) => access.requireWindows(m, limited, [mine.id, outside.id, ungrouped.id], 'read')),
      ).rejects.toMatchObject(refusal(ResultCode.NotFound, `Windows ${outside.id}, ${ungrouped.id} not found`));
      await expect(inTransaction((m) => access.requireWindows(m, limited, [mine.id, outside.id], 'write'))).rejects.toMatchObject(
        refusal(ResultCode.Forbidden, `Window ${outside.id} outside your window scope`),
      );
      await expect(inTransaction((m) => access.requireWindow(m, limited, { uuid: outside.uuid }, 'write'))).rejects.toMatchObject(
        refusal(ResultCode.NotFound, `Window ${outside.uuid} not found`),
      );
      expect(await inTransaction((m) => access.requireWindow(m, limited, { id: mine.id }, 'write'))).toBe(mine);
    });

    it('takes a target group only when the team has it and it is in scope; 0 (ungrouped) is for unlimited callers', async () => {
      const check = (auth: AuthContext, groupId: number | undefined) => inTransaction((m) => access.checkGroup(m, auth, groupId));
      expect(await check(owner, undefined)).toBeUndefined();
      expect(await check(owner, 0)).toBeNull();
      expect(await check(limited, MINE)).toBe(MINE);
      await expect(check(limited, 0)).rejects.toMatchObject(
        refusal(ResultCode.Forbidden, 'groupId 0 (ungrouped) is outside your window scope'),
      );
      await expect(check(limited, OTHER)).rejects.toMatchObject(
        refusal(ResultCode.Forbidden, `groupId ${OTHER} is outside your window scope`),
      );
      await expect(check(owner, 99)).rejects.toMatchObject(refusal(ResultCode.InvalidParam, 'groupId 99 does not exist in your team'));
    });
  });

  describe('batch writes', () => {
    it('change every window named or none: one outside the scope refuses the whole batch', async () => {
      const mine = store.add(TEAM, MINE);
      const outside = store.add(TEAM, OTHER);
      await expect(service.patch(limited, [mine.id, outside.id], { name: 'renamed' })).rejects.toMatchObject({
        code: ResultCode.Forbidden,
      });
      expect(mine.changes).toEqual([]);
      expect(audit.entries).toEqual([]);

      expect(await service.patch(owner, [mine.id, outside.id], { remark: 'r', config: { a: 1 } })).toEqual({ updated: 2 });
      expect(outside.changes).toEqual([
        { name: undefined, groupId: undefined, remark: 'r', mergeFingerprint: undefined, mergeConfig: { a: 1 } },
      ]);
      expect(audit.entries).toEqual([
        {
          teamId: TEAM,
          actorId: owner.userId,
          kind: 'window.updated',
          windowIds: [mine.id, outside.id],
          data: { fields: ['remark', 'config'] },
        },
      ]);
    });

    it('refuse to bin open windows, naming them; a window whose lease ran out counts as closed', async () => {
      const soon = new Date(Date.now() + 60_000);
      const open = store.add(TEAM, null, { openStatus: 'opened', openLeaseUntil: soon });
      const lapsed = store.add(TEAM, null, { openStatus: 'opened', openLeaseUntil: new Date(Date.now() - 1) });
      await expect(service.recycle(owner, { ids: [open.id, lapsed.id] })).rejects.toMatchObject(
        refusal(ResultCode.Conflict, `Window ${open.id} is open; close before deleting`),
      );
      expect(store.rows.every((r) => r.deletedAt === null)).toBe(true);

      expect(await service.recycle(owner, { ids: [lapsed.id] })).toEqual({ deleted: 1 });
      expect(lapsed.deletedAt).not.toBeNull();
      await expect(service.recycle(owner, { ids: [lapsed.id], windowRef: { id: lapsed.id } })).rejects.toMatchObject(
        refusal(ResultCode.InvalidParam, 'pass either ids or one of id, browserId, uuid'),
      );
    });

    it('restore and purge only windows in the bin', async () => {
      const live = store.add(TEAM, null);
      const binned = store.add(TEAM, null, { deletedAt: new Date() });
      await expect(service.restore(owner, [live.id, binned.id])).rejects.toMatchObject(
        refusal(ResultCode.NotFound, `Window ${live.id} not found in the recycle bin`),
      );
      await expect(service.deletePermanently(owner, [live.id])).rejects.toMatchObject({ code: ResultCode.NotFound });
      expect(store.rows).toHaveLength(2);
      expect(await service.deletePermanently(owner, [binned.id])).toEqual({ deleted: 1 });
      expect(store.rows).toEqual([live]);
      expect(audit.entries).toEqual([{ actorId: owner.userId, kind: 'window.purged', teamId: TEAM, windowIds: [binned.id] }]);
    });

    it('empty only the caller’s part of the bin', async () => {
      const binned = { deletedAt: new Date() };
      const mine = store.add(TEAM, MINE, binned);
      const outside = store.add(TEAM, OTHER, binned);
      const ungrouped = store.add(TEAM, null, binned);
      const theirs = store.add(TEAM + 1, MINE, binned);
      expect(await service.clearBin(limited)).toEqual({ deleted: 1 });
      expect(store.rows.map((r) => r.id)).toEqual([outside.id, ungrouped.id, theirs.id]);
      expect(mine.deletedAt).not.toBeNull();
      expect(await service.clearBin(owner)).toEqual({ deleted: 2 });
      expect(store.rows).toEqual([theirs]);
    });
  });
});
