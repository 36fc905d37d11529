import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Role, WindowScope } from '@cos/contracts';
import { ClusterBus } from '../cluster/cluster-bus';
import { CloudConfig } from '../config/cloud-config';
import { AuthContext } from './auth-context';

interface AuthRow {
  id: number;
  team_id: number;
  role: Role;
  permissions: string[];
  scope: WindowScope;
  group_ids: number[];
}

const SELECT_USER = `
  SELECT u.id, u.team_id, u.role, u.permissions, u.scope,
         ARRAY(SELECT mg.group_id FROM member_groups mg WHERE mg.user_id = u.id ORDER BY mg.group_id) AS group_ids
  FROM users u`;

const CACHE_MAX = 10_000;

/**
 * Loads the caller: one query, remembered for `AUTH_CACHE_SECONDS` so a busy client does not pay
 * it on every call. Logout, revocation and member changes are published on the cluster bus, so
 * every cloud instance forgets the entry before the change is answered; while an instance cannot
 * hear the bus it loads the caller afresh on every call.
 */
@Injectable()
export class AuthLoader {
  private readonly cache = new Map<string, { auth: AuthContext; until: number }>();
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
  reload(auth: AuthContext): Promise<AuthContext | null> {
    if (auth.sessionId !== null) return this.loadSession(auth.userId, auth.sessionId);
    if (auth.apiTokenHash !== null) return this.loadApiToken(auth.apiTokenHash);
    return Promise.resolve(null);
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

  /** Every instance stops using the session before this resolves. */
  forgetSession(sessionId: string): Promise<void> {
    return this.bus.publish({ kind: 'session-ended', sessionId });
  }

  /** Every instance reloads the user (role, permissions, scope, tokens) before this resolves. */
  forgetUser(userId: number): Promise<void> {
    return this.bus.publish({ kind: 'user-changed', userId });
  }

  private dropUser(userId: number): void {
    for (const [key, entry] of this.cache) if (entry.auth.userId === userId) this.cache.delete(key);
  }

  private async cached(key: string, load: () => Promise<AuthContext | null>, matches: (auth: AuthContext) => boolean = () => true) {
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now() && matches(hit.auth) && this.bus.live) return hit.auth;
    const auth = await load();
    if (!auth || this.ttlMs === 0 || !this.bus.live) {
      this.cache.delete(key);
      return auth;
    }
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, { auth, until: Date.now() + this.ttlMs });
    return auth;
  }

  private async loadSession(userId: number, sessionId: string): Promise<AuthContext | null> {
    const rows: AuthRow[] = await this.db.query(
      `${SELECT_USER}
       JOIN auth_sessions s ON s.user_id = u.id
       WHERE u.id = $1 AND s.id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [userId, sessionId],
    );
    return rows[0] ? this.toContext(rows[0], sessionId) : null;
  }

  private async loadApiToken(tokenHash: string): Promise<AuthContext | null> {
    const rows: AuthRow[] = await this.db.query(
      `WITH used AS (
         UPDATE api_tokens SET last_used_at = now()
         WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
         RETURNING user_id)
       ${SELECT_USER} JOIN used ON used.user_id = u.id`,
      [tokenHash],
    );
    return rows[0] ? this.toContext(rows[0], null, tokenHash) : null;
  }

  private toContext(row: AuthRow, sessionId: string | null, tokenHash: string | null = null): AuthContext {
    return new AuthContext(row.id, row.team_id, row.role, row.permissions, row.scope, row.group_ids, sessionId, tokenHash);
  }
}
