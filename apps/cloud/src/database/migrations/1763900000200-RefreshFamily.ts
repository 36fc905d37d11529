import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a session keeps of its refresh tokens besides the current one's hash: that token sealed, so a
 * refresh with the token it replaced (within the grace) is answered the same token again, and the
 * hashes of the tokens replaced before, so presenting any of them ends the session.
 */
export class RefreshFamily1763900000200 implements MigrationInterface {
  name = 'RefreshFamily1763900000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth_sessions ADD COLUMN refresh_sealed text, ADD COLUMN retired_hashes text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth_sessions DROP COLUMN refresh_sealed, DROP COLUMN retired_hashes`);
  }
}
