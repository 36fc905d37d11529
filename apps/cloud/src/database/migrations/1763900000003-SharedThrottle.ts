import { MigrationInterface, QueryRunner } from 'typeorm';

/** Login throttling counted in the database, so every cloud instance counts the same attempts. */
export class SharedThrottle1763900000003 implements MigrationInterface {
  name = 'SharedThrottle1763900000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE throttle_hits (
        key char(64) PRIMARY KEY,
        hits integer NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX throttle_hits_expires_idx ON throttle_hits (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE throttle_hits`);
  }
}
