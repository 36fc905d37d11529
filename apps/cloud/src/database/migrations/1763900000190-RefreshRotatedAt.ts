import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a session's refresh token last rotated: the token it replaced is taken again for a few
 * seconds after (an answer the browser never got: a reload in flight, tabs restored together)
 * before presenting it counts as a replay.
 */
export class RefreshRotatedAt1763900000190 implements MigrationInterface {
  name = 'RefreshRotatedAt1763900000190';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth_sessions ADD COLUMN rotated_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth_sessions DROP COLUMN rotated_at`);
  }
}
