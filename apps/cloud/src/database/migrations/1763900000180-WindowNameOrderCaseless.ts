import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The windows list by name reads names as people do (`lower(name)`: "alpha" beside "Alpha", not
 * after every capital as the embedded database's C collation puts it); its index follows.
 */
export class WindowNameOrderCaseless1763900000180 implements MigrationInterface {
  name = 'WindowNameOrderCaseless1763900000180';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS windows_live_name_idx`);
    await q.query(`CREATE INDEX windows_live_name_idx ON windows (team_id, lower(name), id) WHERE deleted_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX windows_live_name_idx`);
    await q.query(`CREATE INDEX windows_live_name_idx ON windows (team_id, name, id) WHERE deleted_at IS NULL`);
  }
}
