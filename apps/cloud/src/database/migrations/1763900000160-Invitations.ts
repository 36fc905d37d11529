import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invitations to join a team: the access the new member will get, fixed when the invitation is
 * made, and the SHA-256 of the link's token (the token itself is never stored). A row is used
 * once: accepting sets `accepted_at` by a conditional UPDATE in the transaction that creates the
 * member. `invited_by` goes to null when the inviter is removed, and such an invitation is refused.
 */
export class Invitations1763900000160 implements MigrationInterface {
  name = 'Invitations1763900000160';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE invitations (
        id serial PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        email varchar(254) NOT NULL,
        role varchar(10) NOT NULL,
        permissions text[] NOT NULL DEFAULT '{}',
        scope varchar(10) NOT NULL,
        group_ids integer[] NOT NULL DEFAULT '{}',
        token_hash char(64) NOT NULL UNIQUE,
        invited_by integer REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        accepted_user_id integer REFERENCES users(id) ON DELETE SET NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX invitations_team ON invitations (team_id, created_at DESC)`);
    await q.query(
      `CREATE INDEX invitations_pending ON invitations (team_id, lower(email)) WHERE accepted_at IS NULL AND revoked_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE invitations`);
  }
}
