/**
 * Long: a run and its window runs are read and written together (dispatch, results, cancel, retry); one store keeps their SQL side by side.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Step } from '@cos/contracts';
import { changed } from '../common/sql';
import { onlineSql } from '../devices/device-store';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'canceled';
export type WindowRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'agent_lost';

export interface RunRow {
  id: string;
  teamId: number;
  taskId: number | null;
  taskVersion: number;
  taskName: string;
  steps: Step[];
  timeoutMs: number;
  retries: number;
  actorId: number;
  devices: string[];
  concurrency: number;
  variables: Record<string, string>;
  secrets: string | null;
  secretNames: string[];
  status: RunStatus;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface WindowRunRow {
  windowId: number;
  windowUuid: string;
  windowName: string;
  deviceId: string | null;
  status: WindowRunStatus;
  attempt: number;
  results: unknown[] | null;
  captured: Record<string, unknown> | null;
  error: string | null;
  /** What the device told of the window run, line by line (`ms` from the start of its work). */
  log: { ms: number; text: string }[] | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** A window run that may be sent now, with where its window is open (if anywhere). */
export interface Candidate {
  windowId: number;
  windowUuid: string;
  deviceId: string | null;
  openDeviceId: string | null;
}

/** A window run whose command came to an end (answered, lost, expired) and is not recorded yet. */
export interface Settled {
  runId: string;
  windowId: number;
  commandId: string;
  commandStatus: 'answered' | 'lost' | 'expired';
  answer: { code: number; msg: string; data: Record<string, unknown> } | null;
  runStatus: RunStatus;
  teamId: number;
  actorId: number;
  /** The run's secrets, sealed: their values are taken out of what the device answered. */
  secrets: string | null;
  /** The stored secret values the window run was sent with, sealed as a JSON list. */
  secretsUsed: string | null;
}

export interface Target {
  id: number;
  uuid: string;
  name: string;
  groupId: number | null;
}

const RUN = `r.id, r.team_id AS "teamId", r.task_id AS "taskId", r.task_version AS "taskVersion", r.task_name AS "taskName", r.steps,
  r.timeout_ms AS "timeoutMs", r.retries, r.actor_id AS "actorId", r.devices, r.concurrency, r.variables, r.secrets, r.secret_names AS "secretNames", r.status,
  r.created_at AS "createdAt", r.finished_at AS "finishedAt"`;
const WINDOW_RUN = `window_id AS "windowId", window_uuid AS "windowUuid", window_name AS "windowName", device_id AS "deviceId", status,
  attempt, results, captured, error, log, started_at AS "startedAt", finished_at AS "finishedAt"`;
/** A window run that still has work: queued, or lost with its device and retries left. */
const WAITING = `(rw.status = 'queued' OR (rw.status = 'agent_lost' AND rw.attempt <= r.retries))`;

/**
 * The `runs` and `run_windows` tables. A window run's start and end are the moments they are
 * written (`clock_timestamp()`), not their transaction's start: a dispatch that waited for the
 * run's lock would otherwise seem to start before the window it followed had ended.
 */
@Injectable()
export class RunStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The live windows of the team a run names (by ids, a group — 0 for none — or a tag), at most `max + 1`. */
  async targets(
    manager: EntityManager,
    teamId: number,
    by: { ids?: number[]; groupId?: number; tagId?: number },
    max: number,
  ): Promise<Target[]> {
    const where =
      by.ids !== undefined
        ? `w.id = ANY($2::int[])`
        : by.groupId !== undefined
          ? `w.group_id IS NOT DISTINCT FROM NULLIF($2::int, 0)`
          : `w.id IN (SELECT window_id FROM window_tags WHERE tag_id = $2::int)`;
    return manager.query(
      `SELECT w.id, w.uuid, w.name, w.group_id AS "groupId" FROM windows w
       WHERE w.team_id = $1 AND w.deleted_at IS NULL AND ${where} ORDER BY w.id LIMIT $3`,
      [teamId, by.ids ?? by.groupId ?? by.tagId, max + 1],
    );
  }

  async byKey(teamId: number, actorId: number, key: string): Promise<RunRow | null> {
    const rows: RunRow[] = await this.db.query(`SELECT ${RUN} FROM runs r WHERE team_id = $1 AND actor_id = $2 AND idempotency_key = $3`, [
      teamId,
      actorId,
      key,
    ]);
    return rows[0] ?? null;
  }

  async insert(
    manager: EntityManager,
    run: Omit<RunRow, 'status' | 'createdAt' | 'finishedAt'> & { idempotencyKey: string | null },
    windows: Target[],
  ) {
    await manager.query(
      `INSERT INTO runs (id, team_id, task_id, task_version, task_name, steps, timeout_ms, retries, actor_id, devices, concurrency, variables, secrets, idempotency_key, secret_names)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12::jsonb, $13, $14, $15)`,
      [
        run.id,
        run.teamId,
        run.taskId,
        run.taskVersion,
        run.taskName,
        JSON.stringify(run.steps),
        run.timeoutMs,
        run.retries,
        run.actorId,
        run.devices,
        run.concurrency,
        JSON.stringify(run.variables),
        run.secrets,
        run.idempotencyKey,
        run.secretNames,
      ],
    );
    await manager.query(
      `INSERT INTO run_windows (run_id, window_id, window_uuid, window_name)
       SELECT $1, * FROM unnest($2::int[], $3::uuid[], $4::varchar[])`,
      [run.id, windows.map((w) => w.id), windows.map((w) => w.uuid), windows.map((w) => w.name)],
    );
  }

  async find(teamId: number, id: string, manager: EntityManager = this.db.manager, lock = false): Promise<RunRow | null> {
    const rows: RunRow[] = await manager.query(`SELECT ${RUN} FROM runs r WHERE r.team_id = $1 AND r.id = $2${lock ? ' FOR UPDATE' : ''}`, [
      teamId,
      id,
    ]);
    return rows[0] ?? null;
  }

  /** The run, locked, while it is running: whoever holds it decides what is sent next. */
  async lockRunning(manager: EntityManager, id: string): Promise<RunRow | null> {
    const rows: RunRow[] = await manager.query(`SELECT ${RUN} FROM runs r WHERE r.id = $1 AND r.status = 'running' FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  async page(teamId: number, actorId: number | null, skip: number, take: number): Promise<[RunRow[], number]> {
    const rows: RunRow[] = await this.db.query(
      `SELECT ${RUN} FROM runs r WHERE r.team_id = $1 AND ($2::int IS NULL OR r.actor_id = $2) ORDER BY r.created_at DESC, r.id OFFSET $3 LIMIT $4`,
      [teamId, actorId, skip, take],
    );
    const [{ n }]: { n: number }[] = await this.db.query(
      `SELECT count(*)::integer AS n FROM runs r WHERE r.team_id = $1 AND ($2::int IS NULL OR r.actor_id = $2)`,
      [teamId, actorId],
    );
    return [rows, n];
  }

  windows(runId: string): Promise<WindowRunRow[]> {
    return this.db.query(`SELECT ${WINDOW_RUN} FROM run_windows WHERE run_id = $1 ORDER BY window_id`, [runId]);
  }

  /** How many of each run's window runs are in each state. */
  async counts(runIds: string[], manager: EntityManager = this.db.manager): Promise<Map<string, Record<string, number>>> {
    const rows: { runId: string; status: string; n: number }[] = await manager.query(
      `SELECT run_id AS "runId", status, count(*)::integer AS n FROM run_windows WHERE run_id = ANY($1::uuid[]) GROUP BY run_id, status`,
      [runIds],
    );
    const counts = new Map<string, Record<string, number>>();
    for (const row of rows) counts.set(row.runId, { ...(counts.get(row.runId) ?? {}), [row.status]: row.n });
    return counts;
  }

  /** Window runs with work left (sent or waiting), for the locked run. */
  async pending(manager: EntityManager, run: RunRow): Promise<{ running: number; waiting: number }> {
    const [row]: { running: number; waiting: number }[] = await manager.query(
      `SELECT count(*) FILTER (WHERE rw.status = 'running')::integer AS running, count(*) FILTER (WHERE ${WAITING})::integer AS waiting
       FROM run_windows rw JOIN runs r ON r.id = rw.run_id WHERE rw.run_id = $1`,
      [run.id],
    );
    return row;
  }

  /** Up to `limit` waiting window runs whose window no other run holds, lost ones (their device fixed) first. */
  candidates(manager: EntityManager, runId: string, limit: number): Promise<Candidate[]> {
    return manager.query(
      `SELECT rw.window_id AS "windowId", rw.window_uuid AS "windowUuid", rw.device_id AS "deviceId", w.open_device_id AS "openDeviceId"
       FROM run_windows rw JOIN runs r ON r.id = rw.run_id LEFT JOIN windows w ON w.id = rw.window_id
       WHERE rw.run_id = $1 AND ${WAITING}
         AND NOT EXISTS (SELECT 1 FROM run_windows o WHERE o.window_id = rw.window_id AND o.status = 'running')
       ORDER BY (rw.status = 'agent_lost') DESC, rw.window_id LIMIT $2`,
      [runId, limit],
    );
  }

  /** The run's devices, locked in id order, with whether each is online and how many window runs it holds now. */
  devices(
    manager: EntityManager,
    deviceIds: string[],
    offlineSeconds: number,
  ): Promise<{ deviceId: string; online: boolean; load: number }[]> {
    return manager.query(
      `SELECT d.device_id AS "deviceId", ${onlineSql('$2')} AS online,
              (SELECT count(*)::integer FROM run_windows rw WHERE rw.device_id = d.device_id AND rw.status = 'running') AS load
       FROM devices d WHERE d.device_id = ANY($1::varchar[]) ORDER BY d.device_id FOR UPDATE`,
      [deviceIds, offlineSeconds],
    );
  }

  async markSent(
    manager: EntityManager,
    runId: string,
    windowId: number,
    deviceId: string,
    commandId: string,
    secretsUsed: string | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE run_windows SET status = 'running', device_id = $3, command_id = $4, attempt = attempt + 1, started_at = clock_timestamp(),
         finished_at = NULL, error = NULL, secrets_used = $5 WHERE run_id = $1 AND window_id = $2`,
      [runId, windowId, deviceId, commandId, secretsUsed],
    );
  }

  /** A window run that will not be sent: failed (or canceled) with `error`. */
  async refuse(manager: EntityManager, runId: string, windowId: number, error: string): Promise<void> {
    await manager.query(
      `UPDATE run_windows SET status = 'failed', error = $3, finished_at = clock_timestamp() WHERE run_id = $1 AND window_id = $2`,
      [runId, windowId, error.slice(0, 2000)],
    );
  }

  async finish(manager: EntityManager, runId: string, status: RunStatus): Promise<void> {
    await manager.query(`UPDATE runs SET status = $2, finished_at = now() WHERE id = $1`, [runId, status]);
  }

  /** Window runs whose command ended and whose end is not recorded (of one command, or any). */
  settled(commandId: string | null): Promise<Settled[]> {
    return this.db.query(
      `SELECT rw.run_id AS "runId", rw.window_id AS "windowId", rw.command_id AS "commandId", c.status AS "commandStatus", c.answer,
              r.status AS "runStatus", r.team_id AS "teamId", r.actor_id AS "actorId", r.secrets,
              rw.secrets_used AS "secretsUsed"
       FROM run_windows rw JOIN device_commands c ON c.id = rw.command_id JOIN runs r ON r.id = rw.run_id
       WHERE rw.status = 'running' AND c.status IN ('answered', 'lost', 'expired') AND ($1::uuid IS NULL OR rw.command_id = $1)
       LIMIT 200`,
      [commandId],
    );
  }

  /** Records a window run's end once: false when another instance recorded it first. */
  async record(
    settled: Settled,
    outcome: { status: WindowRunStatus; results: unknown; captured: unknown; error: string | null; log: unknown },
  ): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      changed`UPDATE run_windows SET status = $4, results = $5::jsonb, captured = $6::jsonb, error = $7, log = $8::jsonb,
          finished_at = clock_timestamp()
        WHERE run_id = $1 AND window_id = $2 AND command_id = $3 AND status = 'running' RETURNING 1`,
      [
        settled.runId,
        settled.windowId,
        settled.commandId,
        outcome.status,
        JSON.stringify(outcome.results ?? null),
        JSON.stringify(outcome.captured ?? null),
        outcome.error?.slice(0, 2000) ?? null,
        JSON.stringify(outcome.log ?? null),
      ],
    );
    return rows.length > 0;
  }

  /** A recorded run command's answer is not kept beside it (it may repeat what the run took out of it). */
  async forgetAnswer(commandId: string): Promise<void> {
    await this.db.query(`UPDATE device_commands SET answer = NULL WHERE id = $1`, [commandId]);
  }

  /** The windows a retry would run again. */
  async unfinished(manager: EntityManager, runId: string): Promise<number[]> {
    const rows: { id: number }[] = await manager.query(
      `SELECT window_id AS id FROM run_windows WHERE run_id = $1 AND status IN ('failed', 'canceled', 'agent_lost') ORDER BY window_id`,
      [runId],
    );
    return rows.map((r) => r.id);
  }

  /** Running runs with something to send or to finish, oldest first. */
  async active(limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(`SELECT id FROM runs WHERE status = 'running' ORDER BY created_at LIMIT $1`, [
      limit,
    ]);
    return rows.map((r) => r.id);
  }

  /** Cancels what waits; answers the window runs sent (their devices are asked to stop them). */
  async cancel(manager: EntityManager, runId: string): Promise<{ windowId: number; windowUuid: string; deviceId: string }[]> {
    await manager.query(
      `UPDATE run_windows SET status = 'canceled', finished_at = now() WHERE run_id = $1 AND status IN ('queued', 'agent_lost')`,
      [runId],
    );
    await manager.query(`UPDATE runs SET status = 'canceled', finished_at = now() WHERE id = $1`, [runId]);
    return manager.query(
      `SELECT window_id AS "windowId", window_uuid AS "windowUuid", device_id AS "deviceId" FROM run_windows WHERE run_id = $1 AND status = 'running'`,
      [runId],
    );
  }

  /** Runs again what did not succeed: a window lost with its device stays on that device (its profile is there). */
  async retry(manager: EntityManager, runId: string): Promise<number> {
    const rows: unknown[] = await manager.query(
      changed`UPDATE run_windows SET status = 'queued', error = NULL, finished_at = NULL,
         device_id = CASE WHEN status = 'agent_lost' THEN device_id END
       WHERE run_id = $1 AND status IN ('failed', 'canceled', 'agent_lost') RETURNING 1`,
      [runId],
    );
    await manager.query(`UPDATE runs SET status = 'running', finished_at = NULL WHERE id = $1`, [runId]);
    return rows.length;
  }
}
