import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ConflictError, ForbiddenError, InvalidParamError, NotFoundError, PERMISSIONS } from '@cos/contracts';
import type { MemberResponse, Permission, Role, WindowScope } from '@cos/contracts';
import { AuditLog } from '../audit/audit-log';
import { AuthContext } from '../access/auth-context';
import { AuthService, hashPassword } from '../auth/auth.service';
import { GroupStore } from '../groups/group-store';
import { TeamStore } from '../accounts/team-store';
import { UserEntity } from '../accounts/user.entity';
import { UserStore } from '../accounts/user-store';
import { AddMemberDto, UpdateMemberDto } from './dto/member.dto';

/** How a refusal of `assertMayManage` names what was refused. */
export interface ManageWords {
  /** "Only an owner can {onRole} an admin" */
  onRole: string;
  /** "{who} windows outside your groups; only someone who sees them may {onScope}" */
  who: string;
  onScope: string;
}

/** What a member may do and see, as granted at their creation. */
export interface MemberAccess {
  role: Role;
  permissions: Permission[];
  scope: WindowScope;
  groupIds: number[];
}

@Injectable()
export class TeamsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly auth: AuthService,
    private readonly audit: AuditLog,
    private readonly users: UserStore,
    private readonly teams: TeamStore,
    private readonly groups: GroupStore,
  ) {}

  permissionCatalogue() {
    return { list: Object.entries(PERMISSIONS).map(([name, description]) => ({ name, description })) };
  }

  async listMembers(auth: AuthContext) {
    const users = await this.users.ofTeam(auth.teamId);
    const groups = await this.users.groupsOfUsers(users.map((u) => u.id));
    return { list: users.map((u) => this.memberView(u, groups.get(u.id) ?? [])), total: users.length };
  }

  async addMember(auth: AuthContext, dto: AddMemberDto) {
    const access = this.grantableAccess(auth, dto);
    const passwordHash = await hashPassword(dto.password);
    return this.db.transaction(async (manager) => {
      await this.auth.assertEmailFree(manager, dto.email);
      const { view } = await this.insertMember(manager, auth, { email: dto.email, name: dto.name ?? '', passwordHash }, access);
      return view;
    });
  }

  /**
   * The access a new member would get from `requested`, refused when `auth` may not grant it:
   * the rules of `member/add`, shared with invitations (at the invitation and again at its accept).
   */
  grantableAccess(auth: AuthContext, requested: Partial<MemberAccess>): MemberAccess {
    const role = requested.role ?? 'member';
    // A caller limited to some groups creates members limited to (some of) them.
    const scope = requested.scope ?? (auth.scopedGroupIds ? 'groups' : 'all');
    const groupIds = requested.groupIds ?? [];
    this.assertMayAssignRole(auth, role);
    this.assertMayGrant(auth, requested.permissions);
    this.assertMayGrantScope(auth, role, scope, groupIds);
    return { role, permissions: [...new Set(requested.permissions ?? [])], scope, groupIds };
  }

  /**
   * A new member of `auth`'s team with `access` (from `grantableAccess`), in the caller's
   * transaction, with its groups (checked to be the team's) and its `member.added` row.
   */
  async insertMember(
    manager: EntityManager,
    auth: AuthContext,
    account: { email: string; name: string; passwordHash: string },
    access: MemberAccess,
    auditData: Record<string, unknown> = {},
  ): Promise<{ user: UserEntity; view: MemberResponse }> {
    const groupIds = await this.checkGroups(manager, auth, access.groupIds);
    const user = await this.users.insert(manager, {
      teamId: auth.teamId,
      ...account,
      role: access.role,
      permissions: access.permissions,
      scope: access.scope,
    });
    await this.users.setGroups(manager, user.id, groupIds);
    await this.audit.record(manager, {
      teamId: auth.teamId,
      actorId: auth.userId,
      kind: 'member.added',
      data: { ...this.accessOf(user, groupIds), ...auditData },
    });
    return { user, view: this.memberView(user, groupIds) };
  }

  async updateMember(auth: AuthContext, dto: UpdateMemberDto) {
    const view = await this.db.transaction(async (manager) => {
      const user = await this.lockMember(manager, auth, dto.userId);
      const currentGroups = (await this.users.groupsOf(manager, [user.id])).get(user.id) ?? [];
      this.assertMayManage(auth, user, currentGroups, this.memberWords(user));
      this.assertMayGrant(auth, dto.permissions);
      if (dto.role && dto.role !== user.role) {
        this.assertMayAssignRole(auth, dto.role);
        if (user.role === 'owner') await this.assertAnotherOwner(manager, user);
        user.role = dto.role;
      }
      if (dto.permissions) user.permissions = [...new Set(dto.permissions)];
      if (dto.scope) user.scope = dto.scope;
      this.assertMayGrantScope(auth, user.role, user.scope, dto.groupIds ?? currentGroups);
      await this.users.save(manager, user);
      let groupIds = currentGroups;
      if (dto.groupIds) {
        groupIds = await this.checkGroups(manager, auth, dto.groupIds);
        await this.users.setGroups(manager, user.id, groupIds);
      }
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind: 'member.changed',
        data: this.accessOf(user, groupIds),
      });
      return this.memberView(user, groupIds);
    });
    await this.auth.forgetUser(dto.userId);
    return view;
  }

  async removeMember(auth: AuthContext, userId: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      const user = await this.lockMember(manager, auth, userId);
      this.assertMayManage(auth, user, (await this.users.groupsOf(manager, [user.id])).get(user.id) ?? [], this.memberWords(user));
      if (user.role === 'owner') await this.assertAnotherOwner(manager, user);
      await this.users.delete(manager, user.id);
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind: 'member.removed',
        data: { userId: user.id, email: user.email },
      });
    });
    await this.auth.forgetUser(userId);
  }

  /**
   * Admins manage members; owners and admins above that are the owner's business. A caller
   * limited to some groups manages only members who see no more than they do. Invitations are
   * revoked under the same rule as the members they would make (`words` says which it is).
   */
  assertMayManage(
    auth: AuthContext,
    target: Pick<MemberAccess, 'role' | 'scope'>,
    targetGroups: readonly number[],
    words: ManageWords,
  ): void {
    if (auth.role !== 'owner' && target.role !== 'member') {
      throw new ForbiddenError(`Only an owner can ${words.onRole} an ${target.role}`);
    }
    const mine = auth.scopedGroupIds;
    if (mine && (target.scope !== 'groups' || targetGroups.some((id) => !mine.includes(id)))) {
      throw new ForbiddenError(`${words.who} windows outside your groups; only someone who sees them may ${words.onScope}`);
    }
  }

  /** Nobody grants a window scope wider than their own, themselves included. */
  private assertMayGrantScope(auth: AuthContext, role: Role, scope: WindowScope, groupIds: readonly number[]): void {
    const mine = auth.scopedGroupIds;
    if (!mine) return;
    if (role !== 'member' || scope !== 'groups') {
      throw new ForbiddenError('scope: you see only your groups, so you may grant only scope "groups" within them');
    }
    const beyond = groupIds.filter((id) => !mine.includes(id));
    if (beyond.length > 0) throw new ForbiddenError(`groupIds: you cannot grant groups outside your scope: ${beyond.join(', ')}`);
  }

  /** A member trusted with team:manage hands out no permission they do not hold themselves. */
  private assertMayGrant(auth: AuthContext, permissions: readonly string[] | undefined): void {
    const beyond = (permissions ?? []).filter((p) => !auth.holds(p as Permission));
    if (beyond.length > 0) throw new ForbiddenError(`You cannot grant permissions you do not hold: ${beyond.join(', ')}`);
  }

  private assertMayAssignRole(auth: AuthContext, role: Role): void {
    if (role !== 'member' && auth.role !== 'owner') throw new ForbiddenError(`Only an owner can make an ${role}`);
  }

  private async assertAnotherOwner(manager: EntityManager, owner: UserEntity): Promise<void> {
    const owners = await this.users.lockOwners(manager, owner.teamId);
    if (owners.length <= 1) throw new ConflictError("The team's last owner cannot be removed or demoted");
  }

  /**
   * Membership changes of a team take the team's row first, so two of them (two owners demoting
   * each other) run one after the other instead of locking member rows in opposite orders.
   */
  private async lockMember(manager: EntityManager, auth: AuthContext, userId: number): Promise<UserEntity> {
    await this.teams.lock(manager, auth.teamId);
    const user = await this.users.lockMember(manager, auth.teamId, userId);
    if (!user) throw new NotFoundError(`Member ${userId} not found`);
    return user;
  }

  /** The group ids sorted, once each is known to be the team's (else 211 naming them). */
  async checkGroups(manager: EntityManager, auth: AuthContext, groupIds: number[]): Promise<number[]> {
    if (groupIds.length === 0) return [];
    const found = await this.groups.existing(manager, auth.teamId, groupIds);
    const missing = groupIds.filter((id) => !found.includes(id));
    if (missing.length > 0) throw new InvalidParamError(`groupIds: group ${missing.join(', ')} does not exist in your team`);
    return [...groupIds].sort((a, b) => a - b);
  }

  private memberWords(user: UserEntity): ManageWords {
    return { onRole: 'change or remove', who: `Member ${user.id} sees`, onScope: 'change or remove them' };
  }

  /** What the audit trail keeps of a member's access after a change. */
  private accessOf(user: UserEntity, groupIds: number[]) {
    return { userId: user.id, email: user.email, role: user.role, permissions: user.permissions, scope: user.scope, groupIds };
  }

  private memberView(user: UserEntity, groupIds: number[]): MemberResponse {
    return { ...this.auth.userView(user), permissions: user.permissions, scope: user.scope, groupIds };
  }
}
