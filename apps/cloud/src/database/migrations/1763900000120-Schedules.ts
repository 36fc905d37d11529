import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Schedules: a task run at each tick of a cron pattern in a time zone, with the run's windows,
 * devices and variables (secrets sealed). `next_at` is claimed by compare-and-set, so with any
 * number of instances one of them fires each tick; `firing_at` marks a tick claimed and not yet
 * fired (an instance that died there is taken over, and the run's idempotency key makes the second
 * try the same run).
 */
export class Schedules1763900000120 implements MigrationInterface {
  name = 'Schedules1763900000120';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE schedules (
        id serial PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        task_id integer NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        actor_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        cron varchar(100) NOT NULL,
        timezone varchar(64) NOT NULL,
        target jsonb NOT NULL,
        devices varchar(100)[] NOT NULL,
        concurrency smallint NOT NULL,
        variables jsonb NOT NULL DEFAULT '{}',
        secrets text,
        secret_names varchar(64)[] NOT NULL DEFAULT '{}',
        enabled boolean NOT NULL DEFAULT true,
        next_at timestamptz NOT NULL,
        firing_at timestamptz,
        last_fired_at timestamptz,
        last_run_id uuid,
        last_error varchar(2000),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX schedules_due ON schedules (next_at) WHERE enabled`);
    await q.query(`CREATE INDEX schedules_team ON schedules (team_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE schedules`);
  }
}
