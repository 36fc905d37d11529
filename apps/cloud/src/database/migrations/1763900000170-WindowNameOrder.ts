import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The windows list ordered by name (`sortBy: 'name'`): a page of a team's live windows in name
 * order, either way, reads this index instead of sorting every window of the team.
 */
export class WindowNameOrder1763900000170 implements MigrationInterface {
  name = 'WindowNameOrder1763900000170';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX windows_live_name_idx ON windows (team_id, name, id) WHERE deleted_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX windows_live_name_idx`);
  }
}
