import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Screenshots of window runs (the bytes kept under their sha256 in the run-shot store, beside the
 * profile blobs' store, never in it) and each window run's log as its device told it.
 */
export class RunShots1763900000150 implements MigrationInterface {
  name = 'RunShots1763900000150';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE run_shots (
        id uuid PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        window_id integer NOT NULL,
        command_id uuid NOT NULL,
        step smallint,
        sha256 char(64) NOT NULL,
        size integer NOT NULL,
        width integer NOT NULL,
        height integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX run_shots_run ON run_shots (run_id, window_id, created_at)`);
    await q.query(`CREATE INDEX run_shots_command ON run_shots (command_id)`);
    await q.query(`CREATE INDEX run_shots_team ON run_shots (team_id, created_at)`);
    await q.query(`CREATE INDEX run_shots_sha ON run_shots (sha256)`);
    await q.query(`ALTER TABLE run_windows ADD COLUMN log jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE run_windows DROP COLUMN log`);
    await q.query(`DROP TABLE run_shots`);
  }
}
