import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which API token created a token, and whether a token may create tokens at all. A token created
 * by a token never outlives it and is revoked with it; tokens made before this could mint tokens
 * freely, and now mint none until a new one is created with the right.
 */
export class TokenLineage1763900000061 implements MigrationInterface {
  name = 'TokenLineage1763900000061';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_tokens ADD COLUMN parent_id integer REFERENCES api_tokens(id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE api_tokens ADD COLUMN may_create_tokens boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX api_tokens_parent_idx ON api_tokens (parent_id) WHERE parent_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_tokens DROP COLUMN may_create_tokens`);
    await q.query(`ALTER TABLE api_tokens DROP COLUMN parent_id`);
  }
}
