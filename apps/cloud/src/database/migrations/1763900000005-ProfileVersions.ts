import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Roaming profiles: a window's profile as versions (manifests of path, size and sha256) over
 * content-addressed blobs. A team owns the blobs it uploaded (`profile_blobs`), whatever another
 * team stores, so whether a hash is known tells nothing across teams; the bytes themselves are
 * kept once per hash in the blob store.
 */
export class ProfileVersions1763900000005 implements MigrationInterface {
  name = 'ProfileVersions1763900000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE profile_blobs (
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        sha256 char(64) NOT NULL,
        size bigint NOT NULL,
        touched_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, sha256)
      )`);
    await q.query(`CREATE INDEX profile_blobs_sha_idx ON profile_blobs (sha256)`);
    await q.query(`
      CREATE TABLE profile_versions (
        id bigserial PRIMARY KEY,
        window_id integer NOT NULL REFERENCES windows(id) ON DELETE CASCADE,
        team_id integer NOT NULL,
        version integer NOT NULL,
        commit_id uuid NOT NULL,
        base_version integer,
        restored_from integer,
        files jsonb NOT NULL,
        sync jsonb NOT NULL,
        cookies jsonb,
        device_id varchar(100),
        created_by integer,
        file_count integer NOT NULL,
        total_size bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (window_id, version),
        UNIQUE (window_id, commit_id)
      )`);
    await q.query(`
      CREATE TABLE profile_version_blobs (
        version_id bigint NOT NULL REFERENCES profile_versions(id) ON DELETE CASCADE,
        team_id integer NOT NULL,
        sha256 char(64) NOT NULL,
        PRIMARY KEY (version_id, sha256)
      )`);
    await q.query(`CREATE INDEX profile_version_blobs_team_sha_idx ON profile_version_blobs (team_id, sha256)`);
    await q.query(`ALTER TABLE windows ADD COLUMN profile_version integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE windows DROP COLUMN profile_version`);
    await q.query(`DROP TABLE profile_version_blobs`);
    await q.query(`DROP TABLE profile_versions`);
    await q.query(`DROP TABLE profile_blobs`);
  }
}
