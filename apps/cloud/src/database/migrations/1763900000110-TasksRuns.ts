import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tasks and runs. A task is a named list of steps; every save keeps the version it replaced in
 * `task_versions`. A run is a task's steps (as they were when it started) over a set of windows,
 * one `run_windows` row each: a window run is sent to a device as a `run` command (its order,
 * secrets filled in, sealed in `device_commands.payload`), and at most one run holds a window at a
 * time (the partial unique index). A run's plain variables are kept; its secrets only sealed.
 */
export class TasksRuns1763900000110 implements MigrationInterface {
  name = 'TasksRuns1763900000110';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE device_commands ADD COLUMN payload text`);
    await q.query(`
      CREATE TABLE tasks (
        id serial PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        description varchar(1000) NOT NULL DEFAULT '',
        steps jsonb NOT NULL,
        timeout_ms integer NOT NULL,
        retries smallint NOT NULL DEFAULT 0,
        version integer NOT NULL DEFAULT 1,
        created_by integer,
        updated_by integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (team_id, name)
      )`);
    await q.query(`
      CREATE TABLE task_versions (
        task_id integer NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        version integer NOT NULL,
        name varchar(100) NOT NULL,
        description varchar(1000) NOT NULL,
        steps jsonb NOT NULL,
        timeout_ms integer NOT NULL,
        retries smallint NOT NULL,
        saved_by integer,
        saved_at timestamptz NOT NULL,
        PRIMARY KEY (task_id, version)
      )`);
    await q.query(`
      CREATE TABLE runs (
        id uuid PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        task_id integer REFERENCES tasks(id) ON DELETE SET NULL,
        task_version integer NOT NULL,
        task_name varchar(100) NOT NULL,
        steps jsonb NOT NULL,
        timeout_ms integer NOT NULL,
        retries smallint NOT NULL,
        actor_id integer NOT NULL,
        devices varchar(100)[] NOT NULL,
        concurrency smallint NOT NULL,
        variables jsonb NOT NULL DEFAULT '{}',
        secrets text,
        secret_names varchar(64)[] NOT NULL DEFAULT '{}',
        idempotency_key varchar(100),
        status varchar(10) NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed', 'canceled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (team_id, actor_id, idempotency_key)
      )`);
    await q.query(`CREATE INDEX runs_team ON runs (team_id, created_at DESC)`);
    await q.query(`CREATE INDEX runs_running ON runs (created_at) WHERE status = 'running'`);
    await q.query(`
      CREATE TABLE run_windows (
        run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        window_id integer NOT NULL,
        window_uuid uuid NOT NULL,
        window_name varchar(100) NOT NULL,
        device_id varchar(100),
        status varchar(10) NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled', 'agent_lost')),
        attempt smallint NOT NULL DEFAULT 0,
        command_id uuid,
        results jsonb,
        captured jsonb,
        error varchar(2000),
        started_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (run_id, window_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX run_windows_one_run ON run_windows (window_id) WHERE status = 'running'`);
    await q.query(`CREATE INDEX run_windows_command ON run_windows (command_id) WHERE status = 'running'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE run_windows`);
    await q.query(`DROP TABLE runs`);
    await q.query(`DROP TABLE task_versions`);
    await q.query(`DROP TABLE tasks`);
    await q.query(`ALTER TABLE device_commands DROP COLUMN payload`);
  }
}
