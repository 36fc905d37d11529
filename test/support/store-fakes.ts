/* eslint-disable @typescript-eslint/require-await -- the fakes answer at once, through the promises of the stores they stand for */
import { DataSource, DeepPartial, EntityManager } from 'typeorm';
import type { AuditEntry, AuditLog } from '../../apps/cloud/src/audit/audit-log';
import type { ApiTokenEntity } from '../../apps/cloud/src/auth/api-token.entity';
import type { ApiTokenStore } from '../../apps/cloud/src/auth/api-token-store';
import type { SessionEntity } from '../../apps/cloud/src/auth/session.entity';
import type { EndedSession, SessionStore } from '../../apps/cloud/src/auth/session-store';
import type { TeamEntity } from '../../apps/cloud/src/accounts/team.entity';
import type { TeamStore } from '../../apps/cloud/src/accounts/team-store';
import type { UserEntity } from '../../apps/cloud/src/accounts/user.entity';
import type { UserStore } from '../../apps/cloud/src/accounts/user-store';

/**
 * Plain in-memory stand-ins for the cloud's stores, for unit tests of the services above them:
 * each holds its table as an array and answers as the store's SQL does. They are typed against
 * the store (`Pick<Store, keyof Store>`), so a store that changes its methods breaks them at
 * compile time. Locks are not modelled: the e2e tests cover those on a real PostgreSQL.
 */

/** A dependency given as the methods a test needs, each typed as the real one's. */
export function fakeOf<T>(methods: Partial<Pick<T, keyof T>>): T {
  return methods as T;
}

/** The one manager every fake transaction hands out; the fake stores ignore it. */
export const MANAGER = {} as EntityManager;

/**
 * Runs each transaction at once with `MANAGER`. Nothing is rolled back: a refusal a test expects
 * leaves the tables unchanged only if the service decided before it wrote, which is what the
 * tests check.
 */
export const transactions = () =>
  fakeOf<DataSource>({ transaction: ((run: (m: EntityManager) => unknown) => run(MANAGER)) as DataSource['transaction'] });

/** What the services wrote to the audit trail. */
export class AuditRecorder implements Pick<AuditLog, 'record' | 'recordGone'> {
  readonly entries: AuditEntry[] = [];

  async record(_manager: EntityManager, entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
  }

  /** Recorded as one entry per team, as `record` would take it. */
  async recordGone(
    _manager: EntityManager,
    entry: Omit<AuditEntry, 'windowIds' | 'teamId'>,
    windows: readonly { id: number; team_id: number }[],
  ) {
    for (const teamId of new Set(windows.map((w) => w.team_id)))
      this.entries.push({ ...entry, teamId, windowIds: windows.filter((w) => w.team_id === teamId).map((w) => w.id) });
  }

  kinds(): string[] {
    return this.entries.map((e) => e.kind);
  }
}

export class InMemoryUsers implements Pick<UserStore, keyof UserStore> {
  readonly rows: UserEntity[] = [];
  /** [userId, groupId] */
  readonly memberGroups: [number, number][] = [];
  private nextId = 1;

  add(fields: Partial<UserEntity> & Pick<UserEntity, 'teamId' | 'role'>, groupIds: number[] = []): UserEntity {
    const id = this.nextId++;
    const user: UserEntity = {
      id,
      email: `u${id}@example.com`,
      name: '',
      passwordHash: '',
      permissions: [],
      scope: 'all',
      createdAt: new Date(),
      updatedAt: new Date(),
      ...fields,
    };
    this.rows.push(user);
    for (const groupId of groupIds) this.memberGroups.push([user.id, groupId]);
    return user;
  }

  byId(id: number): UserEntity | undefined {
    return this.rows.find((u) => u.id === id);
  }

  async findByEmail(email: string) {
    return this.rows.find((u) => u.email.toLowerCase() === email.toLowerCase()) ?? null;
  }
  async emailTaken(_m: EntityManager, email: string) {
    return (await this.findByEmail(email)) !== null;
  }
  async get(id: number) {
    const user = this.byId(id);
    if (!user) throw new Error(`no user ${id}`);
    return { ...user };
  }
  async ofTeam(teamId: number) {
    return this.rows.filter((u) => u.teamId === teamId).map((u) => ({ ...u }));
  }
  async lockMember(_m: EntityManager, teamId: number, userId: number) {
    const user = this.rows.find((u) => u.id === userId && u.teamId === teamId);
    return user ? { ...user } : null;
  }
  async lockOwners(_m: EntityManager, teamId: number) {
    return this.rows.filter((u) => u.teamId === teamId && u.role === 'owner').map((u) => ({ ...u }));
  }
  async insert(_m: EntityManager, fields: DeepPartial<UserEntity>) {
    return { ...this.add(fields as UserEntity) };
  }
  async save(_m: EntityManager, user: UserEntity) {
    Object.assign(this.byId(user.id) ?? {}, user);
    return user;
  }
  async delete(_m: EntityManager, id: number) {
    this.rows.splice(
      this.rows.findIndex((u) => u.id === id),
      1,
    );
  }
  async groupsOf(_m: EntityManager, userIds: number[]) {
    const byUser = new Map<number, number[]>();
    for (const [userId, groupId] of [...this.memberGroups].sort((a, b) => a[1] - b[1]))
      if (userIds.includes(userId)) byUser.set(userId, [...(byUser.get(userId) ?? []), groupId]);
    return byUser;
  }
  groupsOfUsers(userIds: number[]) {
    return this.groupsOf(MANAGER, userIds);
  }
  async setGroups(_m: EntityManager, userId: number, groupIds: number[]) {
    this.memberGroups.splice(0, this.memberGroups.length, ...this.memberGroups.filter(([u]) => u !== userId));
    for (const groupId of groupIds) this.memberGroups.push([userId, groupId]);
  }
  async addGroup(_m: EntityManager, userId: number, groupId: number) {
    this.memberGroups.push([userId, groupId]);
  }
}

export class InMemoryTeams implements Pick<TeamStore, keyof TeamStore> {
  readonly rows: TeamEntity[] = [];
  /** Teams whose row a transaction locked, in order. */
  readonly locked: number[] = [];

  async get(id: number) {
    const team = this.rows.find((t) => t.id === id);
    if (!team) throw new Error(`no team ${id}`);
    return team;
  }
  async insert(_m: EntityManager, name: string) {
    const team = { id: this.rows.length + 1, name, windowSeq: 0, createdAt: new Date() };
    this.rows.push(team);
    return team;
  }
  async lock(_m: EntityManager, teamId: number) {
    this.locked.push(teamId);
  }
  async nextWindowSeq(_m: EntityManager, teamId: number) {
    const team = await this.get(teamId);
    return ++team.windowSeq;
  }
}

export class InMemorySessions implements Pick<SessionStore, keyof SessionStore> {
  readonly rows: SessionEntity[] = [];

  async find(id: string) {
    const row = this.rows.find((s) => s.id === id);
    return row ? { ...row } : null;
  }
  async findLive(id: string) {
    const row = this.rows.find((s) => s.id === id && s.revokedAt === null);
    return row ? { ...row } : null;
  }
  async insert(_m: EntityManager, fields: DeepPartial<SessionEntity>) {
    this.rows.push({ createdAt: new Date(), ...fields } as SessionEntity);
  }
  async rotate(sessionId: string, secretHash: string, nextHash: string) {
    const row = this.rows.find((s) => s.id === sessionId && s.refreshHash === secretHash && s.revokedAt === null);
    if (row) Object.assign(row, { refreshHash: nextHash, previousRefreshHash: secretHash });
    return row !== undefined;
  }
  async revoke(id: string) {
    for (const row of this.rows) if (row.id === id) row.revokedAt = new Date();
  }
  async end(_m: EntityManager, id: string, userId?: number) {
    const row = this.rows.find((s) => s.id === id && s.revokedAt === null && (userId === undefined || s.userId === userId));
    if (row) row.revokedAt = new Date();
    return row !== undefined;
  }
  async endOnDevice(_m: EntityManager, userId: number, deviceId: string) {
    const ended: EndedSession[] = [];
    for (const row of this.rows.filter((s) => s.userId === userId && s.deviceId === deviceId)) {
      ended.push({ id: row.id, live: row.revokedAt === null });
      row.revokedAt ??= new Date();
    }
    return ended;
  }
  async deviceHeld(_m: EntityManager, deviceId: string) {
    return this.rows.some((s) => s.deviceId === deviceId && s.revokedAt === null);
  }
}

export class InMemoryApiTokens implements Pick<ApiTokenStore, keyof ApiTokenStore> {
  readonly rows: ApiTokenEntity[] = [];

  add(fields: Partial<ApiTokenEntity> & Pick<ApiTokenEntity, 'userId'>): ApiTokenEntity {
    const token = {
      id: this.rows.length + 1,
      name: 'token',
      deviceId: `dev-${this.rows.length + 1}`,
      tokenHash: '',
      tokenPrefix: '',
      createdAt: new Date(),
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
      parentId: null,
      mayCreateTokens: false,
      ...fields,
    };
    this.rows.push(token);
    return token;
  }

  byId(id: number): ApiTokenEntity | undefined {
    return this.rows.find((t) => t.id === id);
  }

  /** The token and every token created from it, at any depth. */
  lineage(id: number): number[] {
    const ids = [id];
    for (let i = 0; i < ids.length; i++) ids.push(...this.rows.filter((t) => t.parentId === ids[i]).map((t) => t.id));
    return ids;
  }

  async lockLive(_m: EntityManager, id: number) {
    const token = this.byId(id);
    return token !== undefined && token.revokedAt === null && (token.expiresAt === null || token.expiresAt > new Date());
  }
  async insert(_m: EntityManager, fields: DeepPartial<ApiTokenEntity>) {
    return this.add(fields as ApiTokenEntity);
  }
  async list(userId: number, within: number | null) {
    const visible = within === null ? null : this.lineage(within);
    return this.rows.filter((t) => t.userId === userId && (visible === null || visible.includes(t.id))).sort((a, b) => b.id - a.id);
  }
  async revokeLineage(_m: EntityManager, id: number, userId: number, visibleFrom: number | null) {
    const token = this.byId(id);
    if (!token || token.userId !== userId || token.revokedAt !== null) return [];
    if (visibleFrom !== null && !this.lineage(visibleFrom).includes(id)) return [];
    const revoked = this.lineage(id).filter((other) => this.byId(other)?.revokedAt === null);
    for (const other of revoked) this.byId(other)!.revokedAt = new Date();
    return revoked;
  }
}
