import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A per-team version of everything a window list filters or orders on (name, remark, group,
 * recycle bin, tags, creation time), bumped by statement-level triggers in the transaction of the change. A filtered total
 * counted at a version is exact for as long as the version stays the same; a lease renewal or a
 * fingerprint edit does not move it.
 */
export class ListVersions1763900000006 implements MigrationInterface {
  name = 'ListVersions1763900000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE window_list_versions (
        team_id integer PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
        version bigint NOT NULL DEFAULT 1
      )`);
    // Teams in key order, so concurrent statements take the version rows in the same order.
    const bump = (teams: string) => `
        INSERT INTO window_list_versions AS v (team_id)
        SELECT DISTINCT t.team_id FROM (${teams}) t WHERE EXISTS (SELECT 1 FROM teams WHERE teams.id = t.team_id) ORDER BY 1
        ON CONFLICT (team_id) DO UPDATE SET version = v.version + 1;`;
    await q.query(`
      CREATE FUNCTION window_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN${bump(`SELECT n.team_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.name IS DISTINCT FROM o.name OR n.remark IS DISTINCT FROM o.remark
               OR n.group_id IS DISTINCT FROM o.group_id OR n.deleted_at IS DISTINCT FROM o.deleted_at
               OR n.created_at IS DISTINCT FROM o.created_at`)}
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION window_list_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN${bump('SELECT team_id FROM new_rows')}
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION window_list_removed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN${bump('SELECT team_id FROM old_rows')}
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION window_list_tags_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN${bump('SELECT w.team_id FROM new_rows r JOIN windows w ON w.id = r.window_id')}
        ELSE${bump('SELECT w.team_id FROM old_rows r JOIN windows w ON w.id = r.window_id')}
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER windows_list_insert AFTER INSERT ON windows REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION window_list_added()`,
    );
    await q.query(
      `CREATE TRIGGER windows_list_update AFTER UPDATE ON windows REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION window_list_changed()`,
    );
    await q.query(
      `CREATE TRIGGER windows_list_delete AFTER DELETE ON windows REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION window_list_removed()`,
    );
    await q.query(
      `CREATE TRIGGER window_tags_list_insert AFTER INSERT ON window_tags REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION window_list_tags_changed()`,
    );
    await q.query(
      `CREATE TRIGGER window_tags_list_delete AFTER DELETE ON window_tags REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION window_list_tags_changed()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [trigger, table] of [
      ['windows_list_insert', 'windows'],
      ['windows_list_update', 'windows'],
      ['windows_list_delete', 'windows'],
      ['window_tags_list_insert', 'window_tags'],
      ['window_tags_list_delete', 'window_tags'],
    ]) {
      await q.query(`DROP TRIGGER IF EXISTS ${trigger} ON ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS window_list_changed(), window_list_added(), window_list_removed(), window_list_tags_changed()`);
    await q.query(`DROP TABLE IF EXISTS window_list_versions`);
  }
}
