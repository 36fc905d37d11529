import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Role, WindowScope } from '@cos/contracts';
import { changed } from '../common/sql';

export type InvitationStatus = 'pending' | 'accepted' | 'expired' | 'revoked';

/** An invitation as services see it: never its token's hash. */
export interface InvitationRow {
  id: number;
  teamId: number;
  email: string;
  role: Role;
  permissions: string[];
  scope: WindowScope;
  groupIds: number[];
  invitedBy: number | null;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  status: InvitationStatus;
}

export interface InvitationListRow extends InvitationRow {
  invitedByEmail: string | null;
}

const ROW = `i.id, i.team_id AS "teamId", i.email, i.role, i.permissions, i.scope, i.group_ids AS "groupIds",
  i.invited_by AS "invitedBy", i.created_at AS "createdAt", i.expires_at AS "expiresAt",
  i.accepted_at AS "acceptedAt", i.revoked_at AS "revokedAt",
  CASE WHEN i.accepted_at IS NOT NULL THEN 'accepted' WHEN i.revoked_at IS NOT NULL THEN 'revoked'
       WHEN i.expires_at <= now() THEN 'expired' ELSE 'pending' END AS status`;

/** Neither accepted nor revoked nor expired: the only state in which a token still works. */
const PENDING = `i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()`;

/** Rows a team's list shows, newest first: every pending one (at most 100) and the latest others. */
const LIST_MAX = 200;

/** The `invitations` table: a team's invitations by id, and by the SHA-256 of their link's token. */
@Injectable()
export class InvitationStore {
  async insert(
    manager: EntityManager,
    v: {
      teamId: number;
      email: string;
      role: Role;
      permissions: string[];
      scope: WindowScope;
      groupIds: number[];
      tokenHash: string;
      invitedBy: number;
      expiresAt: Date;
    },
  ): Promise<InvitationRow> {
    const [row]: InvitationRow[] = await manager.query(
      `WITH i AS (
         INSERT INTO invitations (team_id, email, role, permissions, scope, group_ids, token_hash, invited_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *)
       SELECT ${ROW} FROM i`,
      [v.teamId, v.email, v.role, v.permissions, v.scope, v.groupIds, v.tokenHash, v.invitedBy, v.expiresAt],
    );
    return row;
  }

  /** Revokes the team's pending invitations for this email (any case); answers their ids. */
  async revokePendingFor(manager: EntityManager, teamId: number, email: string): Promise<number[]> {
    const rows: { id: number }[] = await manager.query(
      changed`UPDATE invitations i SET revoked_at = now()
              WHERE i.team_id = $1 AND lower(i.email) = lower($2) AND ${PENDING} RETURNING i.id`,
      [teamId, email],
    );
    return rows.map((r) => r.id);
  }

  async countPending(manager: EntityManager, teamId: number): Promise<number> {
    const [row]: { count: number }[] = await manager.query(
      `SELECT count(*)::integer AS count FROM invitations i WHERE i.team_id = $1 AND ${PENDING}`,
      [teamId],
    );
    return row.count;
  }

  /** The team's invitations, pending first, then the newest, with the inviter's email (null once they left). */
  list(manager: EntityManager, teamId: number): Promise<InvitationListRow[]> {
    return manager.query(
      `SELECT ${ROW}, u.email AS "invitedByEmail" FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
       WHERE i.team_id = $1 ORDER BY (${PENDING}) DESC, i.created_at DESC, i.id DESC LIMIT ${LIST_MAX}`,
      [teamId],
    );
  }

  /** One of the team's invitations, its row locked for update; null when the team has no such invitation. */
  async lock(manager: EntityManager, teamId: number, id: number): Promise<InvitationRow | null> {
    const [row]: InvitationRow[] = await manager.query(`SELECT ${ROW} FROM invitations i WHERE i.id = $1 AND i.team_id = $2 FOR UPDATE`, [
      id,
      teamId,
    ]);
    return row ?? null;
  }

  async revoke(manager: EntityManager, id: number): Promise<void> {
    await manager.query(`UPDATE invitations SET revoked_at = now() WHERE id = $1`, [id]);
  }

  /** The pending invitation whose token hashes to this; null for any other (unknown, used, expired, revoked). */
  async findPending(manager: EntityManager, tokenHash: string): Promise<InvitationRow | null> {
    const [row]: InvitationRow[] = await manager.query(`SELECT ${ROW} FROM invitations i WHERE i.token_hash = $1 AND ${PENDING}`, [
      tokenHash,
    ]);
    return row ?? null;
  }

  /**
   * Marks the invitation accepted if it is still pending, in the caller's transaction: of two
   * accepts at once, the second waits on the row and then finds it accepted. False when it was not pending.
   */
  async claim(manager: EntityManager, id: number): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      changed`UPDATE invitations i SET accepted_at = now() WHERE i.id = $1 AND ${PENDING} RETURNING i.id`,
      [id],
    );
    return rows.length > 0;
  }

  async setAcceptedUser(manager: EntityManager, id: number, userId: number): Promise<void> {
    await manager.query(`UPDATE invitations SET accepted_user_id = $2 WHERE id = $1`, [id, userId]);
  }
}
