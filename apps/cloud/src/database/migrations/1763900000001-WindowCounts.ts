import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-team, per-group window counts kept by a statement-level trigger, so the totals of the
 * common list pages (all windows, one group, the recycle bin) need no count(*) over the team.
 */
export class WindowCounts1763900000001 implements MigrationInterface {
  name = 'WindowCounts1763900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE window_counts (
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        group_id integer NOT NULL DEFAULT 0,
        live integer NOT NULL DEFAULT 0,
        recycled integer NOT NULL DEFAULT 0,
        PRIMARY KEY (team_id, group_id)
      )`);
    await q.query(`
      CREATE FUNCTION window_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Rows come in key order so concurrent statements lock counters in the same order.
        INSERT INTO window_counts AS c (team_id, group_id, live, recycled)
        SELECT team_id, group_id, sum(live)::int, sum(recycled)::int FROM (
          SELECT team_id, coalesce(group_id, 0) AS group_id,
                 CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END AS live,
                 CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END AS recycled
          FROM new_rows
          UNION ALL
          SELECT team_id, coalesce(group_id, 0),
                 CASE WHEN deleted_at IS NULL THEN -1 ELSE 0 END,
                 CASE WHEN deleted_at IS NULL THEN 0 ELSE -1 END
          FROM old_rows
        ) d
        GROUP BY team_id, group_id
        HAVING sum(live) <> 0 OR sum(recycled) <> 0
        ORDER BY team_id, group_id
        ON CONFLICT (team_id, group_id) DO UPDATE SET live = c.live + excluded.live, recycled = c.recycled + excluded.recycled;
        RETURN NULL;
      END $$`);
    // Transition tables need one trigger per event; an empty stand-in fills the missing side.
    await q.query(`
      CREATE FUNCTION window_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO window_counts AS c (team_id, group_id, live, recycled)
        SELECT team_id, coalesce(group_id, 0), count(*) FILTER (WHERE deleted_at IS NULL), count(*) FILTER (WHERE deleted_at IS NOT NULL)
        FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (team_id, group_id) DO UPDATE SET live = c.live + excluded.live, recycled = c.recycled + excluded.recycled;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION window_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO window_counts AS c (team_id, group_id, live, recycled)
        SELECT team_id, coalesce(group_id, 0), -count(*) FILTER (WHERE deleted_at IS NULL), -count(*) FILTER (WHERE deleted_at IS NOT NULL)
        FROM old_rows WHERE EXISTS (SELECT 1 FROM teams t WHERE t.id = old_rows.team_id) GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (team_id, group_id) DO UPDATE SET live = c.live + excluded.live, recycled = c.recycled + excluded.recycled;
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER windows_count_insert AFTER INSERT ON windows REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION window_counts_insert()`,
    );
    await q.query(
      `CREATE TRIGGER windows_count_update AFTER UPDATE ON windows REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION window_counts_apply()`,
    );
    await q.query(
      `CREATE TRIGGER windows_count_delete AFTER DELETE ON windows REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION window_counts_delete()`,
    );
    await q.query(`
      INSERT INTO window_counts (team_id, group_id, live, recycled)
      SELECT team_id, coalesce(group_id, 0), count(*) FILTER (WHERE deleted_at IS NULL), count(*) FILTER (WHERE deleted_at IS NOT NULL)
      FROM windows GROUP BY 1, 2`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS windows_count_insert ON windows`);
    await q.query(`DROP TRIGGER IF EXISTS windows_count_update ON windows`);
    await q.query(`DROP TRIGGER IF EXISTS windows_count_delete ON windows`);
    await q.query(`DROP FUNCTION IF EXISTS window_counts_apply(), window_counts_insert(), window_counts_delete()`);
    await q.query(`DROP TABLE IF EXISTS window_counts`);
  }
}
