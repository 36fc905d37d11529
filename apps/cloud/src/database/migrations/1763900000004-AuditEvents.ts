import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The team's audit trail, written in the same transaction as each change: one row per window for
 * window events (with the window's group then, so scope applies to the trail as to the windows).
 * Rows are never changed; they go with their team.
 */
export class AuditEvents1763900000004 implements MigrationInterface {
  name = 'AuditEvents1763900000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        actor_id integer,
        kind varchar(40) NOT NULL,
        window_id integer,
        group_id integer,
        device_id varchar(128),
        data jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_events_team_idx ON audit_events (team_id, id)`);
    await q.query(`CREATE INDEX audit_events_window_idx ON audit_events (team_id, window_id, id) WHERE window_id IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only';
      END $$`);
    await q.query(
      `CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_append_only`);
  }
}
