import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { StoredCookie } from '@cos/contracts';
import type { ProfileFileDto } from './dto/profile.dto';

/** A row of `profile_versions`, as PostgreSQL answers it. */
export interface VersionRow {
  id: string;
  version: number;
  base_version: number | null;
  restored_from: number | null;
  files: ProfileFileDto[];
  sync: Record<string, unknown>;
  cookies: StoredCookie[] | null;
  device_id: string | null;
  created_by: number | null;
  created_by_email: string | null;
  created_via: 'session' | 'api-token' | null;
  api_token_id: number | null;
  file_count: number;
  total_size: string;
  created_at: Date;
  /** The hostname the device registered with; only on `list`, null when the cloud never saw the device. */
  device_name?: string | null;
}

/** A new version of a window's profile and who made it. */
export interface NewVersion {
  windowId: number;
  teamId: number;
  commitId: string | null;
  baseVersion: number | null;
  restoredFrom: number | null;
  files: ProfileFileDto[];
  sync: Record<string, unknown>;
  cookies: StoredCookie[] | null;
  totalSize: number;
  deviceId: string;
  userId: number;
  apiTokenId: number | null;
}

/**
 * Reads and writes of `profile_versions` and `profile_version_blobs` (which blobs each version
 * references). Methods that take an `EntityManager` run in the caller's transaction; the others
 * read on their own.
 */
@Injectable()
export class ProfileVersionStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async byCommit(manager: EntityManager, windowId: number, commitId: string): Promise<VersionRow | undefined> {
    const [row]: VersionRow[] = await manager.query(`SELECT * FROM profile_versions WHERE window_id = $1 AND commit_id = $2`, [
      windowId,
      commitId,
    ]);
    return row;
  }

  /** A kept version of the window, in the caller's transaction when `manager` is given. */
  async at(windowId: number, version: number, manager: EntityManager = this.db.manager): Promise<VersionRow | undefined> {
    const [row]: VersionRow[] = await manager.query(`SELECT * FROM profile_versions WHERE window_id = $1 AND version = $2`, [
      windowId,
      version,
    ]);
    return row;
  }

  /** The window's kept versions, newest first, without their files and cookies, each with the name its device registered with. */
  list(windowId: number): Promise<VersionRow[]> {
    return this.db.query(
      `SELECT v.id, v.version, v.base_version, v.restored_from, v.sync, v.device_id, v.created_by, v.created_by_email, v.created_via,
         v.api_token_id, v.file_count, v.total_size, v.created_at, d.hostname AS device_name
       FROM profile_versions v LEFT JOIN devices d ON d.device_id = v.device_id AND d.team_id = v.team_id
       WHERE v.window_id = $1 ORDER BY v.version DESC`,
      [windowId],
    );
  }

  /** How many versions the team keeps, of how many windows. */
  async usage(teamId: number): Promise<{ versions: number; windows: number }> {
    const [row]: { versions: string; windows: string }[] = await this.db.query(
      `SELECT count(*) AS versions, count(DISTINCT window_id) AS windows FROM profile_versions WHERE team_id = $1`,
      [teamId],
    );
    return { versions: Number(row.versions), windows: Number(row.windows) };
  }

  /**
   * The window's next version, with the blobs it references. The author's email is kept with the
   * version, so it still says who after the member is removed.
   */
  async insert(manager: EntityManager, v: NewVersion): Promise<VersionRow> {
    const [row]: VersionRow[] = await manager.query(
      `INSERT INTO profile_versions (window_id, team_id, version, commit_id, base_version, restored_from, files, sync, device_id, created_by,
         file_count, total_size, cookies, created_by_email, created_via, api_token_id)
       SELECT $1, $2, coalesce(max(version), 0) + 1, coalesce($3::uuid, gen_random_uuid()), $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11,
         $12::jsonb, (SELECT email FROM users WHERE id = $9), $13, $14
       FROM profile_versions WHERE window_id = $1
       RETURNING *`,
      [
        v.windowId,
        v.teamId,
        v.commitId,
        v.baseVersion,
        v.restoredFrom,
        JSON.stringify(v.files),
        JSON.stringify(v.sync),
        v.deviceId,
        v.userId,
        v.files.length,
        v.totalSize,
        v.cookies ? JSON.stringify(v.cookies) : null,
        v.apiTokenId === null ? 'session' : 'api-token',
        v.apiTokenId,
      ],
    );
    await manager.query(
      `INSERT INTO profile_version_blobs (version_id, team_id, sha256) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`,
      [row.id, v.teamId, [...new Set(v.files.map((f) => f.sha256))]],
    );
    return row;
  }

  /** Deletes the window's versions older than the newest `kept` up to `newest`; their blobs' references go with them. */
  async prune(manager: EntityManager, windowId: number, newest: number, kept: number): Promise<void> {
    await manager.query(`DELETE FROM profile_versions WHERE window_id = $1 AND version <= $2::int - $3::int`, [windowId, newest, kept]);
  }
}
