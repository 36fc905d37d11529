import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Step } from '@cos/contracts';
import { changed, escapeLike } from '../common/sql';

export interface TaskContent {
  name: string;
  description: string;
  steps: Step[];
  timeoutMs: number;
  retries: number;
}

export interface TaskRow extends TaskContent {
  id: number;
  version: number;
  createdBy: number | null;
  updatedBy: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TaskVersionRow extends TaskContent {
  version: number;
  savedBy: number | null;
  savedAt: Date;
}

const COLUMNS = `id, name, description, steps, timeout_ms AS "timeoutMs", retries, version,
  created_by AS "createdBy", updated_by AS "updatedBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The `tasks` and `task_versions` tables: a task, and each version a save replaced. */
@Injectable()
export class TaskStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async page(teamId: number, keyword: string | undefined, skip: number, take: number): Promise<[TaskRow[], number]> {
    const filter = keyword ? `AND name ILIKE $2` : `AND $2::text IS NULL`;
    const args = [teamId, keyword ? `%${escapeLike(keyword)}%` : null];
    const rows: TaskRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM tasks WHERE team_id = $1 ${filter} ORDER BY name, id OFFSET $3 LIMIT $4`,
      [...args, skip, take],
    );
    const [{ n }]: { n: number }[] = await this.db.query(`SELECT count(*)::integer AS n FROM tasks WHERE team_id = $1 ${filter}`, args);
    return [rows, n];
  }

  async find(teamId: number, id: number, manager: EntityManager = this.db.manager, lock = false): Promise<TaskRow | null> {
    const rows: TaskRow[] = await manager.query(`SELECT ${COLUMNS} FROM tasks WHERE team_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`, [
      teamId,
      id,
    ]);
    return rows[0] ?? null;
  }

  async insert(teamId: number, actorId: number, content: TaskContent): Promise<TaskRow> {
    const [row]: TaskRow[] = await this.db.query(
      `INSERT INTO tasks (team_id, name, description, steps, timeout_ms, retries, created_by, updated_by)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $7) RETURNING ${COLUMNS}`,
      [teamId, content.name, content.description, JSON.stringify(content.steps), content.timeoutMs, content.retries, actorId],
    );
    return row;
  }

  /** Keeps the task as it was in `task_versions`, then writes `content` as the next version (the row is locked by the caller). */
  async replace(manager: EntityManager, task: TaskRow, actorId: number, content: TaskContent): Promise<TaskRow> {
    await manager.query(
      `INSERT INTO task_versions (task_id, version, name, description, steps, timeout_ms, retries, saved_by, saved_at)
       SELECT id, version, name, description, steps, timeout_ms, retries, updated_by, updated_at FROM tasks WHERE id = $1`,
      [task.id],
    );
    const [row]: TaskRow[] = await manager.query(
      changed`UPDATE tasks SET name = $2, description = $3, steps = $4::jsonb, timeout_ms = $5, retries = $6,
         version = version + 1, updated_by = $7, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [task.id, content.name, content.description, JSON.stringify(content.steps), content.timeoutMs, content.retries, actorId],
    );
    return row;
  }

  async delete(teamId: number, id: number): Promise<boolean> {
    const rows: unknown[] = await this.db.query(changed`DELETE FROM tasks WHERE team_id = $1 AND id = $2 RETURNING 1`, [teamId, id]);
    return rows.length > 0;
  }

  async versions(taskId: number, skip: number, take: number): Promise<[TaskVersionRow[], number]> {
    const rows: TaskVersionRow[] = await this.db.query(
      `SELECT version, name, description, steps, timeout_ms AS "timeoutMs", retries, saved_by AS "savedBy", saved_at AS "savedAt"
       FROM task_versions WHERE task_id = $1 ORDER BY version DESC OFFSET $2 LIMIT $3`,
      [taskId, skip, take],
    );
    const [{ n }]: { n: number }[] = await this.db.query(`SELECT count(*)::integer AS n FROM task_versions WHERE task_id = $1`, [taskId]);
    return [rows, n];
  }

  async version(manager: EntityManager, taskId: number, version: number): Promise<TaskVersionRow | null> {
    const rows: TaskVersionRow[] = await manager.query(
      `SELECT version, name, description, steps, timeout_ms AS "timeoutMs", retries, saved_by AS "savedBy", saved_at AS "savedAt"
       FROM task_versions WHERE task_id = $1 AND version = $2`,
      [taskId, version],
    );
    return rows[0] ?? null;
  }
}
