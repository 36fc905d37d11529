/* eslint-disable @typescript-eslint/require-await -- the fakes answer at once, through the promises of what they stand for */
import { ResultCode } from '@cos/contracts';
import type { Permission } from '@cos/contracts';
import { InMemoryTeams } from '../accounts/team-store.fake';
import { InMemoryUsers } from '../accounts/user-store.fake';
import { AuditRecorder } from '../audit/audit-log.fake';
import { fakeOf, MANAGER, transactions } from '../common/unit.fake';
import { AuthContext } from '../access/auth-context';
import type { TeamStore } from '../accounts/team-store';
import type { UserEntity } from '../accounts/user.entity';
import type { UserStore } from '../accounts/user-store';
import type { AuditLog } from '../audit/audit-log';
import type { AuthService } from '../auth/auth.service';
import type { GroupStore } from '../groups/group-store';
import { TeamsService } from './teams.service';

/** The member rules of team management (who may change whom, and into what), on in-memory stores. */
describe('TeamsService', () => {
  const GROUPS = [11, 12, 13];
  let users: InMemoryUsers;
  let teams: InMemoryTeams;
  let audit: AuditRecorder;
  let forgotten: number[];
  let service: TeamsService;
  let teamId: number;
  let owner: UserEntity;

  beforeEach(async () => {
    users = new InMemoryUsers();
    teams = new InMemoryTeams();
    audit = new AuditRecorder();
    forgotten = [];
    const auth = fakeOf<AuthService>({
      assertEmailFree: async () => undefined,
      forgetUser: async (id) => void forgotten.push(id),
      userView: (u) => ({ id: u.id, email: u.email, name: u.name, role: u.role, teamId: u.teamId, createdAt: u.createdAt.toISOString() }),
    });
    const groups = fakeOf<GroupStore>({ existing: async (_m, _team, ids) => ids.filter((id) => GROUPS.includes(id)) });
    service = new TeamsService(transactions(), auth, fakeOf<AuditLog>(audit), fakeOf<UserStore>(users), fakeOf<TeamStore>(teams), groups);
    teamId = (await teams.insert(MANAGER, 'team')).id;
    owner = users.add({ teamId, role: 'owner' });
  });

  const as = (user: UserEntity, groupIds: number[] = []) =>
    new AuthContext(user.id, user.teamId, user.role, user.permissions, user.scope, groupIds, 'session', 'dev-1');
  /** A member trusted with team:manage (and `extra`), limited to `groupIds` when given. */
  const manager = (groupIds?: number[], extra: Permission[] = []) => {
    const user = users.add(
      { teamId, role: 'member', permissions: ['team:manage', ...extra], scope: groupIds ? 'groups' : 'all' },
      groupIds,
    );
    return as(user, groupIds);
  };
  const refusal = (code: ResultCode, message: string) => ({ code, message });

  describe('the last owner', () => {
    it('cannot be demoted or removed, by anyone, and nothing is written', async () => {
      await expect(service.updateMember(as(owner), { userId: owner.id, role: 'admin' })).rejects.toMatchObject(
        refusal(ResultCode.Conflict, "The team's last owner cannot be removed or demoted"),
      );
      await expect(service.removeMember(as(owner), owner.id)).rejects.toMatchObject({ code: ResultCode.Conflict });
      expect(users.byId(owner.id)).toMatchObject({ role: 'owner' });
      expect(audit.entries).toEqual([]);
      expect(forgotten).toEqual([]);
    });

    it('can step down once there is another owner, and the change is recorded and forgotten', async () => {
      const second = users.add({ teamId, role: 'owner' });
      const view = await service.updateMember(as(owner), { userId: owner.id, role: 'admin' });
      expect(view).toMatchObject({ id: owner.id, role: 'admin' });
      expect(users.byId(owner.id)!.role).toBe('admin');
      expect(audit.entries).toEqual([
        {
          teamId,
          actorId: owner.id,
          kind: 'member.changed',
          data: { userId: owner.id, email: owner.email, role: 'admin', permissions: [], scope: 'all', groupIds: [] },
        },
      ]);
      expect(forgotten).toEqual([owner.id]);
      // The team's row is taken before the member's, so two such changes run one after the other.
      expect(teams.locked).toEqual([teamId]);
      await expect(service.removeMember(as(second), second.id)).rejects.toMatchObject({ code: ResultCode.Conflict });
    });
  });

  describe('roles', () => {
    it('lets only an owner make, change or remove an admin or owner', async () => {
      const admin = users.add({ teamId, role: 'admin' });
      const other = users.add({ teamId, role: 'admin' });
      const member = users.add({ teamId, role: 'member' });
      await expect(service.updateMember(as(admin), { userId: other.id, permissions: [] })).rejects.toMatchObject(
        refusal(ResultCode.Forbidden, 'Only an owner can change or remove an admin'),
      );
      await expect(service.removeMember(as(admin), owner.id)).rejects.toMatchObject(
        refusal(ResultCode.Forbidden, 'Only an owner can change or remove an owner'),
      );
      await expect(service.updateMember(as(admin), { userId: member.id, role: 'admin' })).rejects.toMatchObject(
        refusal(ResultCode.Forbidden, 'Only an owner can make an admin'),
      );
      await expect(
        service.addMember(as(admin), { email: 'new@example.com', password: 'password 123', role: 'owner' }),
      ).rejects.toMatchObject(refusal(ResultCode.Forbidden, 'Only an owner can make an owner'));
      expect(users.rows.map((u) => u.role)).toEqual(['owner', 'admin', 'admin', 'member']);

      await service.updateMember(as(owner), { userId: member.id, role: 'admin' });
      await service.removeMember(as(owner), other.id);
      expect(users.rows.map((u) => [u.id, u.role])).toEqual([
        [owner.id, 'owner'],
        [admin.id, 'admin'],
        [member.id, 'admin'],
      ]);
      expect(audit.kinds()).toEqual(['member.changed', 'member.removed']);
    });

    it('answers 404 for a member of another team', async () => {
      const stranger = users.add({ teamId: teamId + 1, role: 'member' });
      await expect(service.removeMember(as(owner), stranger.id)).rejects.toMatchObject(
        refusal(ResultCode.NotFound, `Member ${stranger.id} not found`),
      );
      expect(users.byId(stranger.id)).toBeDefined();
    });
  });

  describe('what a member with team:manage hands out', () => {
    it('grants no permission they do not hold', async () => {
      const caller = manager(undefined, ['browser:list']);
      await expect(
        service.addMember(caller, {
          email: 'n@example.com',
          password: 'password 123',
          permissions: ['browser:list', 'browser:delete:permanent'],
        }),
      ).rejects.toMatchObject(refusal(ResultCode.Forbidden, 'You cannot grant permissions you do not hold: browser:delete:permanent'));
      const added = await service.addMember(caller, {
        email: 'n@example.com',
        password: 'password 123',
        permissions: ['browser:list', 'browser:list'],
      });
      expect(added).toMatchObject({ role: 'member', permissions: ['browser:list'], scope: 'all', groupIds: [] });
    });

    it('keeps a caller limited to groups within them: new members default to their groups, and wider grants are refused', async () => {
      const caller = manager([11, 12]);
      const added = await service.addMember(caller, { email: 'g@example.com', password: 'password 123', groupIds: [12] });
      expect(added).toMatchObject({ scope: 'groups', groupIds: [12] });
      expect(users.memberGroups.filter(([u]) => u === added.id)).toEqual([[added.id, 12]]);

      await expect(service.addMember(caller, { email: 'h@example.com', password: 'password 123', scope: 'all' })).rejects.toMatchObject(
        refusal(ResultCode.Forbidden, 'scope: you see only your groups, so you may grant only scope "groups" within them'),
      );
      await expect(service.updateMember(caller, { userId: added.id, groupIds: [12, 13] })).rejects.toMatchObject(
        refusal(ResultCode.Forbidden, 'groupIds: you cannot grant groups outside your scope: 13'),
      );
      expect(users.memberGroups.filter(([u]) => u === added.id)).toEqual([[added.id, 12]]);
    });

    it('lets a caller limited to groups manage only members who see no more than they do', async () => {
      const caller = manager([11]);
      const wider = users.add({ teamId, role: 'member', scope: 'groups' }, [11, 13]);
      const everywhere = users.add({ teamId, role: 'member', scope: 'all' });
      for (const target of [wider, everywhere]) {
        await expect(service.removeMember(caller, target.id)).rejects.toMatchObject(
          refusal(
            ResultCode.Forbidden,
            `Member ${target.id} sees windows outside your groups; only someone who sees them may change or remove them`,
          ),
        );
      }
      expect(users.byId(wider.id)).toBeDefined();
      expect(users.byId(everywhere.id)).toBeDefined();
    });

    it('refuses groups the team does not have, naming them', async () => {
      await expect(
        service.addMember(as(owner), { email: 'x@example.com', password: 'password 123', scope: 'groups', groupIds: [11, 98, 99] }),
      ).rejects.toMatchObject(refusal(ResultCode.InvalidParam, 'groupIds: group 98, 99 does not exist in your team'));
      expect(users.rows).toHaveLength(1);
    });
  });

  it('lists the team’s members with their groups, in id order', async () => {
    const member = users.add({ teamId, role: 'member', scope: 'groups' }, [13, 11]);
    users.add({ teamId: teamId + 1, role: 'owner' });
    const { list, total } = await service.listMembers(as(owner));
    expect(total).toBe(2);
    expect(list.map((m) => [m.id, m.groupIds])).toEqual([
      [owner.id, []],
      [member.id, [11, 13]],
    ]);
  });
});
