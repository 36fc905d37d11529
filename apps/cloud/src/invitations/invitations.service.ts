import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '@cos/contracts';
import type { Permission } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { TeamStore } from '../accounts/team-store';
import { UserStore } from '../accounts/user-store';
import { AuditLog } from '../audit/audit-log';
import { AuthLoader } from '../auth/auth-loader';
import { AuthService, hashPassword } from '../auth/auth.service';
import { CloudConfig } from '../config/cloud-config';
import { hashToken, randomToken } from '../crypto/secret-box';
import { GroupStore } from '../groups/group-store';
import { MemberAccess, TeamsService } from '../teams/teams.service';
import { AcceptInvitationDto, CreateInvitationDto } from './dto/invitation.dto';
import { InvitationListRow, InvitationRow, InvitationStore } from './invitation-store';

/** Pending invitations a team may have at once. */
export const PENDING_INVITATIONS_MAX = 100;

/**
 * One answer for every token that does not work: unknown, used, expired or revoked look the same,
 * so a link tells nobody more than that it is dead.
 */
export class InvitationNotValidError extends NotFoundError {
  constructor() {
    super('This invitation link is not valid any more; ask the team for a new one');
  }
}

/**
 * Invitations: an admin says who joins with what access, the new member sets their own password.
 * The access is checked against the inviter's rights when the invitation is made and again when
 * it is accepted (an inviter who lost them, or left, invites nobody). The link's token is shown
 * once and only its SHA-256 is kept.
 */
@Injectable()
export class InvitationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: InvitationStore,
    private readonly teams: TeamsService,
    private readonly teamRows: TeamStore,
    private readonly users: UserStore,
    private readonly groups: GroupStore,
    private readonly auth: AuthService,
    private readonly loader: AuthLoader,
    private readonly audit: AuditLog,
    private readonly config: CloudConfig,
  ) {}

  async create(auth: AuthContext, dto: CreateInvitationDto) {
    const access = this.teams.grantableAccess(auth, dto);
    const token = randomToken();
    const expiresAt = new Date(Date.now() + this.config.env.INVITE_TTL_HOURS * 3_600_000);
    const row = await this.db.transaction(async (manager) => {
      // Membership changes of a team take its row first; invitations of the team run one after the other.
      await this.teamRows.lock(manager, auth.teamId);
      if (await this.users.emailTaken(manager, dto.email))
        throw new ConflictError(`${dto.email} has an account already; an invitation is for someone who has none`);
      const groupIds = await this.teams.checkGroups(manager, auth, access.groupIds);
      const replaced = await this.store.revokePendingFor(manager, auth.teamId, dto.email);
      if ((await this.store.countPending(manager, auth.teamId)) >= PENDING_INVITATIONS_MAX)
        throw new ConflictError(`The team has ${PENDING_INVITATIONS_MAX} pending invitations; revoke one first or let them expire`);
      const created = await this.store.insert(manager, {
        teamId: auth.teamId,
        email: dto.email,
        ...access,
        groupIds,
        tokenHash: hashToken(token),
        invitedBy: auth.userId,
        expiresAt,
      });
      for (const id of replaced)
        await this.audit.record(manager, {
          teamId: auth.teamId,
          actorId: auth.userId,
          kind: 'member.invite_revoked',
          data: { invitationId: id, email: dto.email, replacedBy: created.id },
        });
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind: 'member.invited',
        data: { invitationId: created.id, ...this.accessOf(created), expiresAt: created.expiresAt.toISOString() },
      });
      return created;
    });
    return { ...this.view(row), token, path: `/#/accept?token=${token}` };
  }

  async list(auth: AuthContext) {
    const rows = await this.store.list(this.db.manager, auth.teamId);
    return { list: rows.map((r) => this.listView(r)), pendingMax: PENDING_INVITATIONS_MAX };
  }

  async revoke(auth: AuthContext, id: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      const row = await this.store.lock(manager, auth.teamId, id);
      if (!row) throw new NotFoundError(`Invitation ${id} not found`);
      this.teams.assertMayManage(auth, row, row.groupIds, {
        onRole: 'revoke an invitation for',
        who: `Invitation ${id} grants`,
        onScope: 'revoke it',
      });
      if (row.status !== 'pending') throw new ConflictError(`Invitation ${id} is ${row.status} already; only a pending one is revoked`);
      await this.store.revoke(manager, id);
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind: 'member.invite_revoked',
        data: { invitationId: id, email: row.email },
      });
    });
  }

  /** What the link's page shows before a password is chosen. */
  async check(token: string) {
    const row = await this.pending(this.db.manager, token);
    const team = await this.teamRows.get(row.teamId);
    return { email: row.email, teamName: team.name, role: row.role, expiresAt: row.expiresAt.toISOString() };
  }

  /**
   * Creates the member with the invitation's access and signs them in. The claim of the row
   * (a conditional UPDATE) and the member's insert commit together, under the team's lock: of
   * two accepts at once, one creates the member and the other finds the invitation used.
   */
  async accept(dto: AcceptInvitationDto, address: string) {
    const found = await this.pending(this.db.manager, dto.token);
    const passwordHash = await hashPassword(dto.password);
    const user = await this.db.transaction(async (manager) => {
      await this.teamRows.lock(manager, found.teamId);
      if (!(await this.store.claim(manager, found.id))) throw new InvitationNotValidError();
      // A group deleted since the invitation was made is no longer granted: the member sees less, never more.
      const groupIds = found.groupIds.length ? await this.groups.existing(manager, found.teamId, found.groupIds) : [];
      const access = { ...this.accessOf(found), groupIds: groupIds.sort((a, b) => a - b) };
      const inviter = await this.inviterNow(manager, found, access);
      if (await this.users.emailTaken(manager, found.email))
        throw new ConflictError(`${found.email} has an account already; sign in with it`);
      const { user: created } = await this.teams.insertMember(
        manager,
        inviter,
        { email: found.email, name: dto.name ?? '', passwordHash },
        access,
        { invitationId: found.id },
      );
      await this.store.setAcceptedUser(manager, found.id, created.id);
      return created;
    });
    return this.auth.signInNew(user, address);
  }

  private async pending(manager: EntityManager, token: string): Promise<InvitationRow> {
    const row = await this.store.findPending(manager, hashToken(token));
    if (!row) throw new InvitationNotValidError();
    return row;
  }

  /**
   * The inviter as they stand now, refused unless they are still in the team, still hold
   * team:manage and may still grant everything the invitation grants.
   */
  private async inviterNow(manager: EntityManager, row: InvitationRow, access: MemberAccess): Promise<AuthContext> {
    const refused = new ForbiddenError(
      'This invitation can no longer be accepted: whoever sent it may no longer grant this access; ask the team for a new one',
    );
    const inviter = row.invitedBy === null ? null : await this.loader.forMember(row.invitedBy, row.teamId, '', manager);
    if (!inviter || !inviter.holds('team:manage')) throw refused;
    try {
      this.teams.grantableAccess(inviter, access);
    } catch (error) {
      if (error instanceof DomainError) throw refused;
      throw error;
    }
    return inviter;
  }

  private accessOf(row: InvitationRow): MemberAccess & { email: string } {
    return {
      email: row.email,
      role: row.role,
      permissions: row.permissions as Permission[],
      scope: row.scope,
      groupIds: [...row.groupIds].sort((a, b) => a - b),
    };
  }

  private view(row: InvitationRow) {
    return {
      id: row.id,
      ...this.accessOf(row),
      status: row.status,
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
      acceptedAt: row.acceptedAt?.toISOString() ?? null,
      revokedAt: row.revokedAt?.toISOString() ?? null,
    };
  }

  private listView(row: InvitationListRow) {
    return { ...this.view(row), invitedBy: row.invitedBy, invitedByEmail: row.invitedByEmail };
  }
}
