import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Role, WindowScope } from '@cos/contracts';
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

/** Loads the caller in one query per request, so a removed member or ended session stops at once. */
@Injectable()
export class AuthLoader {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async forSession(userId: number, sessionId: string): Promise<AuthContext | null> {
    const rows: AuthRow[] = await this.db.query(
      `${SELECT_USER}
       JOIN auth_sessions s ON s.user_id = u.id
       WHERE u.id = $1 AND s.id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [userId, sessionId],
    );
    return rows[0] ? this.toContext(rows[0], sessionId) : null;
  }

  async forApiToken(tokenHash: string): Promise<AuthContext | null> {
    const rows: AuthRow[] = await this.db.query(
      `WITH used AS (
         UPDATE api_tokens SET last_used_at = now()
         WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
         RETURNING user_id)
       ${SELECT_USER} JOIN used ON used.user_id = u.id`,
      [tokenHash],
    );
    return rows[0] ? this.toContext(rows[0], null) : null;
  }

  async forUser(userId: number): Promise<AuthContext | null> {
    const rows: AuthRow[] = await this.db.query(`${SELECT_USER} WHERE u.id = $1`, [userId]);
    return rows[0] ? this.toContext(rows[0], null) : null;
  }

  private toContext(row: AuthRow, sessionId: string | null): AuthContext {
    return new AuthContext(row.id, row.team_id, row.role, row.permissions, row.scope, row.group_ids, sessionId);
  }
}
