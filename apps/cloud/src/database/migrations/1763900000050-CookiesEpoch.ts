import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A window's cookie epoch: moved by an import that replaces its stored cookies. A device whose
 * copy of the profile was made in another epoch starts the window without the cookies that copy
 * holds, so the next open has exactly the stored cookies, on any device.
 */
export class CookiesEpoch1763900000050 implements MigrationInterface {
  name = 'CookiesEpoch1763900000050';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE windows ADD COLUMN cookies_epoch integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE windows DROP COLUMN cookies_epoch`);
  }
}
