import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Role, WindowScope } from '@cos/contracts';
import { ClusterBus } from '../cluster/cluster-bus';
import { CloudConfig } from '../config/cloud-config';
import { AuthContext } from '../access/auth-context';

interface AuthRow {
  id: number;
  team_id: number;
  role: Role;
  permissions: string[];
  scope: WindowScope;
  group_ids: number[];
  device_id: string;
  /** bigint, as text. */
  auth_version: string;
  /** When the session or token stops being valid; null: never. */
  valid_until: Date | null;
  token_id?: number;
  may_create_tokens?: boolean;
}

interface Loaded {
  auth: AuthContext;
  version: string;
  validUntil: number;
}

const SELECT_USER = `
  SELECT u.id, u.team_id, u.role, u.permissions, u.scope, u.auth_version,
         ARRAY(SELECT mg.group_id FROM member_groups mg WHERE mg.user_id = u.id ORDER BY mg.group_id) AS group_ids`;

const CACHE_MAX = 10_000;

/**
 * Loads the caller (one query) and remembers it for `AUTH_CACHE_SECONDS`. A remembered caller is
 * used only while the user's `auth_version` is still the one it was loaded at: every change to who
 * may call as the user (logout, token revocation, role, permissions, scope, groups, removal) moves
 * that version in its own transaction (database triggers), and each call reads it back with one
 * primary-key lookup. So a change is in force on every instance as soon as it commits — before it
 * is answered — whether or not an instance has heard the cluster bus yet. The bus only frees
 * memory early and ends event streams.
 */
@Injectable()
export class AuthLoader {
  private readonly cache = new Map<string, Loaded & { until: number }>();
  private readonly ttlMs: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    config: CloudConfig,
    private readonly bus: ClusterBus,
  ) {
    this.ttlMs = config.env.AUTH_CACHE_SECONDS * 1000;
    bus.subscribe((event) => {
      if (event.kind === 'session-ended') this.cache.delete(`s:${event.sessionId}`);
      else if (event.kind === 'user-changed') this.dropUser(event.userId);
    });
    // What was published while the listener was down never came: nothing loaded before is kept.
    bus.onResumed(() => this.cache.clear());
  }

  /** The caller loaded afresh from the database, bypassing the cache; null once it no longer stands. */
  async reload(auth: AuthContext): Promise<AuthContext | null> {
    return (await this.reloadUntil(auth))?.auth ?? null;
  }

  /** As `reload`, with when the session or API token runs out (ms since the epoch; Infinity for never). */
  async reloadUntil(auth: AuthContext): Promise<{ auth: AuthContext; validUntil: number } | null> {
    if (auth.sessionId !== null) return this.loadSession(auth.userId, auth.sessionId);
    if (auth.token === null) return null;
    const [token]: { token_hash: string }[] = await this.db.query(`SELECT token_hash FROM api_tokens WHERE id = $1`, [auth.token.id]);
    return token ? this.loadApiToken(token.token_hash) : null;
  }

  /**
   * The member as the cloud's own jobs act for them (a schedule they set): their role, permissions
   * and scope as they stand now, no session; null once they are no longer in the team. With
   * `manager`, read in that transaction (an invitation's accept, under its team's lock).
   */
  async forMember(userId: number, teamId: number, deviceId: string, manager?: EntityManager): Promise<AuthContext | null> {
    const rows: AuthRow[] = await (manager ?? this.db).query(`${SELECT_USER} FROM users u WHERE u.id = $1 AND u.team_id = $2`, [
      userId,
      teamId,
    ]);
    const row = rows[0];
    return row ? new AuthContext(row.id, row.team_id, row.role, row.permissions, row.scope, row.group_ids, null, deviceId) : null;
  }

  forSession(userId: number, sessionId: string): Promise<AuthContext | null> {
    return this.cached(
      `s:${sessionId}`,
      () => this.loadSession(userId, sessionId),
      (auth) => auth.userId === userId,
    );
  }

  forApiToken(tokenHash: string): Promise<AuthContext | null> {
    return this.cached(`t:${tokenHash}`, () => this.loadApiToken(tokenHash));
  }

  /** Ends the session's event streams on every instance; its calls are refused already (auth version). */
  forgetSession(sessionId: string): Promise<void> {
    return this.bus.publish({ kind: 'session-ended', sessionId });
  }

  /** Frees what every instance remembers of the user; their calls see the change already (auth version). */
  forgetUser(userId: number): Promise<void> {
    return this.bus.publish({ kind: 'user-changed', userId });
  }

  private dropUser(userId: number): void {
    for (const [key, entry] of this.cache) if (entry.auth.userId === userId) this.cache.delete(key);
  }

  private async cached(key: string, load: () => Promise<Loaded | null>, matches: (auth: AuthContext) => boolean = () => true) {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now && hit.validUntil > now && matches(hit.auth)) {
      if ((await this.currentVersion(hit.auth.userId)) === hit.version) return hit.auth;
    }
    const loaded = await load();
    if (!loaded || this.ttlMs === 0) {
      this.cache.delete(key);
      return loaded?.auth ?? null;
    }
    this.cache.delete(key);
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, { ...loaded, until: Date.now() + this.ttlMs });
    return loaded.auth;
  }

  private async currentVersion(userId: number): Promise<string | null> {
    const rows: { auth_version: string }[] = await this.db.query(`SELECT auth_version FROM users WHERE id = $1`, [userId]);
    return rows[0]?.auth_version ?? null;
  }

  private async loadSession(userId: number, sessionId: string): Promise<Loaded | null> {
    const rows: AuthRow[] = await this.db.query(
      `${SELECT_USER}, s.expires_at AS valid_until, s.device_id
       FROM users u JOIN auth_sessions s ON s.user_id = u.id
       WHERE u.id = $1 AND s.id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [userId, sessionId],
    );
    return rows[0] ? this.toLoaded(rows[0], sessionId) : null;
  }

  private async loadApiToken(tokenHash: string): Promise<Loaded | null> {
    const rows: AuthRow[] = await this.db.query(
      `WITH used AS (
         UPDATE api_tokens SET last_used_at = now()
         WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
         RETURNING id, user_id, expires_at, may_create_tokens, device_id)
       ${SELECT_USER}, used.expires_at AS valid_until, used.id AS token_id, used.may_create_tokens, used.device_id
       FROM users u JOIN used ON used.user_id = u.id`,
      [tokenHash],
    );
    return rows[0] ? this.toLoaded(rows[0], null) : null;
  }

  private toLoaded(row: AuthRow, sessionId: string | null): Loaded {
    const token =
      row.token_id === undefined
        ? null
        : {
            id: row.token_id,
            mayCreateTokens: row.may_create_tokens === true,
            expiresAt: row.valid_until ? new Date(row.valid_until) : null,
          };
    return {
      auth: new AuthContext(row.id, row.team_id, row.role, row.permissions, row.scope, row.group_ids, sessionId, row.device_id, token),
      version: String(row.auth_version),
      validUntil: row.valid_until ? new Date(row.valid_until).getTime() : Number.POSITIVE_INFINITY,
    };
  }
}
