import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { changed } from '../common/sql';

export interface ScheduleTarget {
  windowIds?: number[];
  groupId?: number;
  tagId?: number;
}

export interface ScheduleRow {
  id: number;
  teamId: number;
  taskId: number;
  actorId: number;
  cron: string;
  timezone: string;
  target: ScheduleTarget;
  devices: string[];
  concurrency: number;
  variables: Record<string, string>;
  secrets: string | null;
  secretNames: string[];
  enabled: boolean;
  nextAt: Date;
  lastFiredAt: Date | null;
  lastRunId: string | null;
  lastError: string | null;
}

export type ScheduleFields = Omit<ScheduleRow, 'id' | 'nextAt' | 'lastFiredAt' | 'lastRunId' | 'lastError'>;

const COLUMNS = `id, team_id AS "teamId", task_id AS "taskId", actor_id AS "actorId", cron, timezone, target, devices, concurrency,
  variables, secrets, secret_names AS "secretNames", enabled, next_at AS "nextAt", last_fired_at AS "lastFiredAt",
  last_run_id AS "lastRunId", last_error AS "lastError"`;

/** The `schedules` table, and the claim of a tick: compare-and-set on `next_at`. */
@Injectable()
export class ScheduleStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(fields: ScheduleFields, nextAt: Date): Promise<ScheduleRow> {
    const [row]: ScheduleRow[] = await this.db.query(
      `INSERT INTO schedules (team_id, task_id, actor_id, cron, timezone, target, devices, concurrency, variables, secrets, secret_names, enabled, next_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::jsonb, $10, $11, $12, $13) RETURNING ${COLUMNS}`,
      [...values(fields), nextAt],
    );
    return row;
  }

  async update(id: number, fields: ScheduleFields, nextAt: Date): Promise<ScheduleRow | null> {
    const rows: ScheduleRow[] = await this.db.query(
      changed`UPDATE schedules SET team_id = $1, task_id = $2, actor_id = $3, cron = $4, timezone = $5, target = $6::jsonb, devices = $7,
         concurrency = $8, variables = $9::jsonb, secrets = $10, secret_names = $11, enabled = $12, next_at = $13, last_error = NULL,
         updated_at = now()
       WHERE id = $14 AND team_id = $1 RETURNING ${COLUMNS}`,
      [...values(fields), nextAt, id],
    );
    return rows[0] ?? null;
  }

  async find(teamId: number, id: number): Promise<ScheduleRow | null> {
    const rows: ScheduleRow[] = await this.db.query(`SELECT ${COLUMNS} FROM schedules WHERE team_id = $1 AND id = $2`, [teamId, id]);
    return rows[0] ?? null;
  }

  async page(teamId: number, actorId: number | null, skip: number, take: number): Promise<[ScheduleRow[], number]> {
    const filter = `team_id = $1 AND ($2::int IS NULL OR actor_id = $2)`;
    const rows: ScheduleRow[] = await this.db.query(`SELECT ${COLUMNS} FROM schedules WHERE ${filter} ORDER BY id OFFSET $3 LIMIT $4`, [
      teamId,
      actorId,
      skip,
      take,
    ]);
    const [{ n }]: { n: number }[] = await this.db.query(`SELECT count(*)::integer AS n FROM schedules WHERE ${filter}`, [teamId, actorId]);
    return [rows, n];
  }

  async delete(teamId: number, id: number): Promise<boolean> {
    const rows: unknown[] = await this.db.query(changed`DELETE FROM schedules WHERE team_id = $1 AND id = $2 RETURNING 1`, [teamId, id]);
    return rows.length > 0;
  }

  /**
   * Schedules whose tick has come (its time as text, to claim it exactly), and ticks claimed by an
   * instance that has not fired them within `staleSeconds` (`retake`: fired again under the same
   * run key, so an instance that did fire meanwhile and this one start one run between them).
   */
  async due(limit: number, staleSeconds: number): Promise<(ScheduleRow & { tick: string; retake: boolean })[]> {
    return this.db.query(
      `SELECT ${COLUMNS}, next_at::text AS tick, false AS retake FROM schedules WHERE enabled AND next_at <= now() AND firing_at IS NULL
       UNION ALL
       SELECT ${COLUMNS}, firing_at::text AS tick, true AS retake FROM schedules
        WHERE firing_at IS NOT NULL AND firing_at < now() - make_interval(secs => $2)
       ORDER BY tick LIMIT $1`,
      [limit, staleSeconds],
    );
  }

  /** Takes the tick `tick` for this instance (and moves `next_at` on); false when another took it. */
  async claim(id: number, tick: string, nextAt: Date): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      changed`UPDATE schedules SET next_at = $3, firing_at = $2::timestamptz
        WHERE id = $1 AND next_at = $2::timestamptz AND firing_at IS NULL RETURNING 1`,
      [id, tick, nextAt],
    );
    return rows.length > 0;
  }

  /** The tick stays claimed (fired again once it is stale) and says why it waits. */
  async waiting(id: number, tick: string, error: string): Promise<void> {
    await this.db.query(`UPDATE schedules SET last_error = $3 WHERE id = $1 AND firing_at = $2::timestamptz`, [
      id,
      tick,
      error.slice(0, 2000),
    ]);
  }

  /** The tick `tick` was fired (or failed with `error`). */
  async fired(id: number, tick: string, runId: string | null, error: string | null): Promise<void> {
    await this.db.query(
      `UPDATE schedules SET firing_at = NULL, last_fired_at = now(), last_run_id = coalesce($2, last_run_id), last_error = $3 WHERE id = $1 AND firing_at = $4::timestamptz`,
      [id, runId, error?.slice(0, 2000) ?? null, tick],
    );
  }
}

function values(f: ScheduleFields): unknown[] {
  return [
    f.teamId,
    f.taskId,
    f.actorId,
    f.cron,
    f.timezone,
    JSON.stringify(f.target),
    f.devices,
    f.concurrency,
    JSON.stringify(f.variables),
    f.secrets,
    f.secretNames,
    f.enabled,
  ];
}
