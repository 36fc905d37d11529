import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Variables a team keeps for its task runs: team-wide (`window_id` null) and per window, each plain
 * text or a secret (only sealed, never read back). `run_windows.secrets_used` keeps, sealed, the
 * stored secret values a window run was sent with, so they are taken out of what its device answers.
 */
export class Variables1763900000140 implements MigrationInterface {
  name = 'Variables1763900000140';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE variables (
        id serial PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        window_id integer REFERENCES windows(id) ON DELETE CASCADE,
        name varchar(64) NOT NULL,
        value text,
        sealed text,
        updated_by integer,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((value IS NULL) <> (sealed IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX variables_name ON variables (team_id, COALESCE(window_id, 0), name)`);
    await q.query(`CREATE INDEX variables_window ON variables (window_id) WHERE window_id IS NOT NULL`);
    await q.query(`ALTER TABLE run_windows ADD COLUMN secrets_used text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE run_windows DROP COLUMN secrets_used`);
    await q.query(`DROP TABLE variables`);
  }
}
