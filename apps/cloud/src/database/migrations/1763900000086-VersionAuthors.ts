import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who made each profile version: the member (their email kept with the version, so it still reads
 * after the member is removed) and how they were signed in — a login session or an API token,
 * whose issued device is `device_id`. Versions made before devices were issued keep `created_via`
 * null: their device id was the client's own word.
 */
export class VersionAuthors1763900000086 implements MigrationInterface {
  name = 'VersionAuthors1763900000086';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE profile_versions
        ADD COLUMN created_by_email varchar(254),
        ADD COLUMN created_via varchar(16) CHECK (created_via IN ('session', 'api-token')),
        ADD COLUMN api_token_id integer`);
    await q.query(`UPDATE profile_versions v SET created_by_email = u.email FROM users u WHERE u.id = v.created_by`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE profile_versions DROP COLUMN created_by_email, DROP COLUMN created_via, DROP COLUMN api_token_id`);
  }
}
