import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { changed } from '../common/sql';

export interface VariableRow {
  windowId: number | null;
  name: string;
  /** Plain text; null for a secret. */
  value: string | null;
  secret: boolean;
  updatedBy: number | null;
  updatedAt: Date;
}

/** A stored value as a dispatch fills it in: a secret still sealed. */
export interface StoredValue {
  windowId: number | null;
  name: string;
  value: string | null;
  sealed: string | null;
}

const ROW = `window_id AS "windowId", name, value, sealed IS NOT NULL AS secret, updated_by AS "updatedBy", updated_at AS "updatedAt"`;

/** The `variables` table: a team's values (window_id null) and its windows' own, by name. */
@Injectable()
export class VariableStore {
  async upsert(
    manager: EntityManager,
    v: { teamId: number; windowId: number | null; name: string; value: string | null; sealed: string | null; actorId: number },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO variables (team_id, window_id, name, value, sealed, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (team_id, COALESCE(window_id, 0), name)
       DO UPDATE SET value = EXCLUDED.value, sealed = EXCLUDED.sealed, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [v.teamId, v.windowId, v.name, v.value, v.sealed, v.actorId],
    );
  }

  /** Whether the name is set there already, and how many are (the team's, or the window's). */
  async room(manager: EntityManager, teamId: number, windowId: number | null, name: string): Promise<{ count: number; exists: boolean }> {
    const [row]: { count: number; exists: boolean }[] = await manager.query(
      `SELECT count(*)::integer AS count, coalesce(bool_or(name = $3), false) AS exists FROM variables
       WHERE team_id = $1 AND window_id IS NOT DISTINCT FROM $2`,
      [teamId, windowId, name],
    );
    return row;
  }

  list(manager: EntityManager, teamId: number, windowId: number | null): Promise<VariableRow[]> {
    return manager.query(`SELECT ${ROW} FROM variables WHERE team_id = $1 AND window_id IS NOT DISTINCT FROM $2 ORDER BY name`, [
      teamId,
      windowId,
    ]);
  }

  async delete(manager: EntityManager, teamId: number, windowId: number | null, name: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      changed`DELETE FROM variables WHERE team_id = $1 AND window_id IS NOT DISTINCT FROM $2 AND name = $3 RETURNING 1`,
      [teamId, windowId, name],
    );
    return rows.length > 0;
  }

  /** The team's values and those of the named windows, for the names asked (all names when null). */
  values(manager: EntityManager, teamId: number, windowIds: readonly number[], names: readonly string[] | null): Promise<StoredValue[]> {
    return manager.query(
      `SELECT window_id AS "windowId", name, value, sealed FROM variables
       WHERE team_id = $1 AND (window_id IS NULL OR window_id = ANY($2::int[])) AND ($3::text[] IS NULL OR name = ANY($3::text[]))`,
      [teamId, windowIds, names],
    );
  }
}
