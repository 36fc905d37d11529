import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which window each profile blob was uploaded for. A team keeps a hash's bytes once, but a commit
 * on a window may name only blobs that window may already read (those of its kept versions) or
 * that were uploaded for it: knowing a hash another window's profile holds must not be a way to
 * read it. A link goes with its window and with the team's blob; the collector also forgets links
 * of uploads no kept version of their window came to use.
 *
 * Nothing is carried over: a window's kept versions already let it name their blobs, and an upload
 * whose commit has not come is sent again (the team's bytes are reused, only the link is new).
 */
export class ProfileBlobLinks1763900000090 implements MigrationInterface {
  name = 'ProfileBlobLinks1763900000090';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE profile_blob_links (
        window_id integer NOT NULL REFERENCES windows(id) ON DELETE CASCADE,
        team_id integer NOT NULL,
        sha256 char(64) NOT NULL,
        linked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (window_id, sha256),
        FOREIGN KEY (team_id, sha256) REFERENCES profile_blobs (team_id, sha256) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX profile_blob_links_blob_idx ON profile_blob_links (team_id, sha256)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE profile_blob_links`);
  }
}
