import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface ShotRow {
  id: string;
  runId: string;
  windowId: number;
  step: number | null;
  sha256: string;
  size: number;
  width: number;
  height: number;
  createdAt: Date;
}

/** A window run a device may add screenshots to: its command is sent to that device and not answered. */
export interface ShotTarget {
  runId: string;
  windowId: number;
  shots: number;
}

const ROW = `id, run_id AS "runId", window_id AS "windowId", step, sha256, size, width, height, created_at AS "createdAt"`;

/** The `run_shots` table: which screenshots each window run has, and where their bytes are. */
@Injectable()
export class RunShotStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The window run command `commandId` belongs to, when it is a run sent to `deviceId` of the team
   * and still unanswered, with its command row locked (one shot counted at a time); else null.
   */
  async target(manager: EntityManager, teamId: number, deviceId: string, commandId: string): Promise<ShotTarget | null> {
    const rows: ShotTarget[] = await manager.query(
      `SELECT rw.run_id AS "runId", rw.window_id AS "windowId",
              (SELECT count(*)::integer FROM run_shots s WHERE s.command_id = c.id) AS shots
       FROM device_commands c JOIN run_windows rw ON rw.command_id = c.id AND rw.status = 'running'
       WHERE c.id = $1 AND c.team_id = $2 AND c.device_id = $3 AND c.kind = 'run' AND c.status = 'sent'
       FOR UPDATE OF c`,
      [commandId, teamId, deviceId],
    );
    return rows[0] ?? null;
  }

  async teamBytes(manager: EntityManager, teamId: number): Promise<number> {
    const [row]: { bytes: string }[] = await manager.query(`SELECT coalesce(sum(size), 0) AS bytes FROM run_shots WHERE team_id = $1`, [
      teamId,
    ]);
    return Number(row.bytes);
  }

  async insert(
    manager: EntityManager,
    shot: {
      id: string;
      teamId: number;
      runId: string;
      windowId: number;
      commandId: string;
      step: number | null;
      sha256: string;
      size: number;
    },
    size: { width: number; height: number },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO run_shots (id, team_id, run_id, window_id, command_id, step, sha256, size, width, height)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [shot.id, shot.teamId, shot.runId, shot.windowId, shot.commandId, shot.step, shot.sha256, shot.size, size.width, size.height],
    );
  }

  async find(teamId: number, id: string): Promise<ShotRow | null> {
    const rows: ShotRow[] = await this.db.query(`SELECT ${ROW} FROM run_shots WHERE team_id = $1 AND id = $2`, [teamId, id]);
    return rows[0] ?? null;
  }

  ofRun(runId: string): Promise<ShotRow[]> {
    return this.db.query(`SELECT ${ROW} FROM run_shots WHERE run_id = $1 ORDER BY created_at LIMIT 10000`, [runId]);
  }

  /** Forgets screenshots older than `days` (a batch at most), answering the hashes no screenshot names any more. */
  async expire(manager: EntityManager, days: number): Promise<string[]> {
    const [rows]: [{ sha256: string }[], number] = await manager.query(
      `DELETE FROM run_shots WHERE id IN (SELECT id FROM run_shots WHERE created_at < now() - make_interval(days => $1) LIMIT 5000)
       RETURNING sha256`,
      [days],
    );
    return [...new Set(rows.map((r) => r.sha256))];
  }

  async named(manager: EntityManager, sha256: string): Promise<boolean> {
    const [row]: { named: boolean }[] = await manager.query(`SELECT EXISTS (SELECT 1 FROM run_shots WHERE sha256 = $1) AS named`, [sha256]);
    return row.named;
  }
}
