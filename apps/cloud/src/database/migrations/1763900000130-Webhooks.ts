import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks: a team's endpoints (their signing secrets sealed; the one a rotation replaced kept until
 * its overlap ends) and a durable outbox of deliveries, each sent by the job engine with retries,
 * its attempts and the endpoint's last answer kept for the console. `webhooks_allow_private` lets a
 * team deliver to private addresses (off: loopback, private, link-local, CGNAT, ULA are refused).
 */
export class Webhooks1763900000130 implements MigrationInterface {
  name = 'Webhooks1763900000130';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE teams ADD COLUMN webhooks_allow_private boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE webhooks (
        id serial PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        url varchar(2048) NOT NULL,
        events varchar(40)[] NOT NULL,
        secret text NOT NULL,
        previous_secret text,
        previous_until timestamptz,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason varchar(500),
        created_by integer,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhooks_team ON webhooks (team_id)`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id varchar(40) PRIMARY KEY,
        webhook_id integer NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event varchar(40) NOT NULL,
        payload jsonb NOT NULL,
        status varchar(10) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'gone')),
        attempts smallint NOT NULL DEFAULT 0,
        last_status integer,
        last_answer varchar(1000),
        last_error varchar(500),
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhooks`);
    await q.query(`ALTER TABLE teams DROP COLUMN webhooks_allow_private`);
  }
}
