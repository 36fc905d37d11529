import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Addresses a user has signed in from (hashed): once an account has had too many wrong passwords,
 * only these still get their password checked, so guessing from many addresses cannot lock the
 * owner out.
 */
export class LoginAddresses1763900000062 implements MigrationInterface {
  name = 'LoginAddresses1763900000062';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_addresses (
        user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        address_hash char(64) NOT NULL,
        last_login_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, address_hash)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_addresses`);
  }
}
