import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ResultCode } from '@cos/contracts';
import { CloudConfig } from '../config/cloud-config';
import { BLOB_STORE, fromStore } from './blob-store';
import type { BlobStore } from './blob-store';
import { receiveBlob } from './blob-intake';

const COLLECT_LOCK = 0x636f7303;
const HOUR = 3_600_000;
/** An uploaded blob no version references yet is kept this long: the commit that will use it is on its way. */
export const BLOB_GRACE_SECONDS = 3600;

/** The advisory lock that serialises storing and deleting the bytes of one hash, across instances. */
const HASH_LOCK = `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`;
/** Serialises a team's uploads while its unreferenced blobs are counted, so two at once cannot both pass the bound. */
const TEAM_INTAKE_LOCK = `SELECT pg_advisory_xact_lock(hashtextextended('profile-intake:' || $1::text, 0))`;

/** The team holds as many blobs no version uses as it may: an upload waits for a commit (or the collector) to free room. */
export class UnreferencedBlobsFullError extends DomainError {
  constructor(held: { blobs: number; bytes: number }, adding: number, max: { blobs: number; bytes: number }) {
    super(
      ResultCode.Throttled,
      `The team holds ${held.blobs} uploaded blobs (${held.bytes} bytes) that no profile version uses; with this one (${adding} bytes) ` +
        `it would pass the bound of ${max.blobs} blobs or ${max.bytes} bytes (PROFILE_UNREFERENCED_MAX_BLOBS, PROFILE_UNREFERENCED_MAX_BYTES). ` +
        `Commit the profiles they were uploaded for, or try again once unused blobs are collected`,
    );
  }
}

/**
 * A team's profile blobs: which it holds (`profile_blobs`) and which window each was uploaded
 * for (`profile_blob_links`), taking new ones in, reading them out, and collecting those no
 * version references any more. The bytes are kept once per hash in the
 * blob store; a hash's bytes are stored and deleted under one advisory lock, so a collection
 * never removes bytes another upload has just claimed.
 */
@Injectable()
export class ProfileBlobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProfileBlobs.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly config: CloudConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.collectLogged(), HOUR);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * Of `hashes`, those window `windowId` may not name in a commit: neither in one of its kept
   * versions nor uploaded for it. A blob another window of the team (or another team) holds
   * counts as missing, so the answer tells nothing about any other window's profile.
   */
  async missing(teamId: number, windowId: number, hashes: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(hashes)];
    const held = await this.windowHolds(this.db.manager, teamId, windowId, wanted, false);
    return wanted.filter((h) => !held.has(h));
  }

  /**
   * Takes a blob in for the team, uploaded for window `windowId`: verified as it arrives, stored
   * once per hash, and linked to the window (which may then name it in a commit). `stored` says
   * whether the team held it before, and nothing else: whether another team holds the same
   * bytes changes neither the answer nor the work done. A blob the team holds is still sent and
   * hashed whole: the link is earned by the bytes, never by the hash. A blob new to the team
   * counts against its bound on blobs no version uses, checked once its size is known (the body
   * is read whole first, so the refusal reaches a client that is still sending).
   */
  async accept(
    teamId: number,
    windowId: number,
    sha256: string,
    source: Readable,
    maxBytes: number,
    gzipped = false,
  ): Promise<{ size: number; stored: boolean }> {
    const { path, size } = await receiveBlob(source, sha256, maxBytes, join(this.config.dataDir, 'tmp'), gzipped);
    try {
      return await this.db.transaction(async (manager) => {
        await manager.query(TEAM_INTAKE_LOCK, [teamId]);
        await manager.query(HASH_LOCK, [sha256]);
        const held = await this.teamHolds(manager, teamId, sha256);
        if (!held) {
          await this.checkRoom(manager, teamId, size);
          // Written whenever the team did not hold it: the same bytes under the same name change nothing.
          await fromStore(() => this.store.putFile(sha256, path, size));
        }
        await manager.query(
          `INSERT INTO profile_blobs (team_id, sha256, size) VALUES ($1, $2, $3)
           ON CONFLICT (team_id, sha256) DO UPDATE SET touched_at = now()`,
          [teamId, sha256, size],
        );
        await manager.query(
          `INSERT INTO profile_blob_links (window_id, team_id, sha256) VALUES ($1, $2, $3)
           ON CONFLICT (window_id, sha256) DO UPDATE SET linked_at = now()`,
          [windowId, teamId, sha256],
        );
        return { size, stored: !held };
      });
    } finally {
      await fs.rm(path, { force: true });
    }
  }

  /**
   * The sizes of the named blobs window `windowId` may name: the team holds them and they are in
   * one of the window's kept versions or were uploaded for it. With `lock`, their rows are
   * share-locked against collection until the transaction ends.
   */
  async windowHolds(
    manager: EntityManager,
    teamId: number,
    windowId: number,
    hashes: readonly string[],
    lock = true,
  ): Promise<Map<string, number>> {
    const rows: { sha256: string; size: string }[] = await manager.query(
      `SELECT b.sha256, b.size FROM profile_blobs b
       WHERE b.team_id = $1 AND b.sha256 = ANY($3)
         AND (EXISTS (SELECT 1 FROM profile_blob_links l WHERE l.window_id = $2 AND l.team_id = b.team_id AND l.sha256 = b.sha256)
           OR EXISTS (SELECT 1 FROM profile_version_blobs vb JOIN profile_versions v ON v.id = vb.version_id
                      WHERE v.window_id = $2 AND vb.team_id = b.team_id AND vb.sha256 = b.sha256))
       ${lock ? 'FOR SHARE OF b' : ''}`,
      [teamId, windowId, hashes],
    );
    return new Map(rows.map((r) => [r.sha256, Number(r.size)]));
  }

  private async teamHolds(manager: EntityManager, teamId: number, sha256: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM profile_blobs WHERE team_id = $1 AND sha256 = $2`, [teamId, sha256]);
    return rows.length > 0;
  }

  private async checkRoom(manager: EntityManager, teamId: number, adding: number): Promise<void> {
    const held = await this.unreferenced(manager, teamId);
    const max = { blobs: this.config.env.PROFILE_UNREFERENCED_MAX_BLOBS, bytes: this.config.env.PROFILE_UNREFERENCED_MAX_BYTES };
    if (held.blobs + 1 > max.blobs || held.bytes + adding > max.bytes) throw new UnreferencedBlobsFullError(held, adding, max);
  }

  /** The team's blobs that no kept version uses: uploads whose commit has not come (yet). */
  private async unreferenced(manager: EntityManager, teamId: number): Promise<{ blobs: number; bytes: number }> {
    const [row]: { blobs: string; bytes: string | null }[] = await manager.query(
      `SELECT count(*) AS blobs, sum(size) AS bytes FROM profile_blobs b
       WHERE team_id = $1
         AND NOT EXISTS (SELECT 1 FROM profile_version_blobs vb WHERE vb.team_id = b.team_id AND vb.sha256 = b.sha256)`,
      [teamId],
    );
    return { blobs: Number(row.blobs), bytes: Number(row.bytes ?? 0) };
  }

  /** The bytes of a blob a version of `windowId` references; null otherwise (the hash alone opens nothing). */
  async openForWindow(windowId: number, sha256: string): Promise<{ size: number; stream: Readable } | null> {
    const [row]: { size: string }[] = await this.db.query(
      `SELECT b.size FROM profile_version_blobs vb
         JOIN profile_versions v ON v.id = vb.version_id
         JOIN profile_blobs b ON b.team_id = vb.team_id AND b.sha256 = vb.sha256
       WHERE v.window_id = $1 AND vb.sha256 = $2 LIMIT 1`,
      [windowId, sha256],
    );
    if (!row) return null;
    const stream = await fromStore(() => this.store.open(sha256));
    return stream ? { size: Number(row.size), stream } : null;
  }

  /** Every blob the team holds, and of those the ones no version uses, with the bound on them. */
  async usage(teamId: number) {
    const [row]: { blobs: string; bytes: string | null }[] = await this.db.query(
      `SELECT count(*) AS blobs, sum(size) AS bytes FROM profile_blobs WHERE team_id = $1`,
      [teamId],
    );
    return {
      blobs: Number(row.blobs),
      bytes: Number(row.bytes ?? 0),
      unreferenced: {
        ...(await this.unreferenced(this.db.manager, teamId)),
        maxBlobs: this.config.env.PROFILE_UNREFERENCED_MAX_BLOBS,
        maxBytes: this.config.env.PROFILE_UNREFERENCED_MAX_BYTES,
      },
    };
  }

  /**
   * Forgets links of uploads no kept version of their window uses, and team blobs that no version
   * references, both when not uploaded or touched in the last `graceSeconds`, then deletes the bytes of hashes no team holds any more. Rows a commit
   * in flight has share-locked are skipped (it references them); one that starts afterwards
   * finds them gone and is told to upload them again.
   */
  async collect(graceSeconds = BLOB_GRACE_SECONDS): Promise<{ ran: boolean; forgotten: number; deleted: number }> {
    const forgotten = await this.db.transaction(async (manager) => {
      const [{ locked }]: { locked: boolean }[] = await manager.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [COLLECT_LOCK]);
      if (!locked) return null;
      await this.forgetStaleLinks(manager, graceSeconds);
      const candidates: { team_id: number; sha256: string }[] = await manager.query(
        `SELECT team_id, sha256 FROM profile_blobs b
         WHERE touched_at < now() - make_interval(secs => $1)
           AND NOT EXISTS (SELECT 1 FROM profile_version_blobs vb WHERE vb.team_id = b.team_id AND vb.sha256 = b.sha256)
         ORDER BY team_id, sha256 LIMIT 10000 FOR UPDATE SKIP LOCKED`,
        [graceSeconds],
      );
      if (candidates.length === 0) return [];
      // A fresh look now that the rows are locked: a commit that finished meanwhile keeps its blobs.
      // TypeORM answers a DELETE … RETURNING as [rows, count].
      const [rows]: [{ sha256: string }[], number] = await manager.query(
        `DELETE FROM profile_blobs b USING unnest($1::int[], $2::text[]) AS c(team_id, sha256)
         WHERE b.team_id = c.team_id AND b.sha256 = c.sha256
           AND NOT EXISTS (SELECT 1 FROM profile_version_blobs vb WHERE vb.team_id = b.team_id AND vb.sha256 = b.sha256)
         RETURNING b.sha256`,
        [candidates.map((c) => c.team_id), candidates.map((c) => c.sha256)],
      );
      return rows.map((r) => r.sha256);
    });
    if (forgotten === null) return { ran: false, forgotten: 0, deleted: 0 };
    // The bytes go only once the rows are gone for good, each hash under its lock: an upload of
    // the same bytes either finished first (and holds a row now) or waits and stores them anew.
    let deleted = 0;
    for (const sha256 of new Set(forgotten)) {
      const gone = await this.db.transaction(async (manager) => {
        await manager.query(HASH_LOCK, [sha256]);
        const [{ held }]: { held: boolean }[] = await manager.query(
          `SELECT EXISTS (SELECT 1 FROM profile_blobs WHERE sha256 = $1) AS held`,
          [sha256],
        );
        if (held) return false;
        await this.store.delete(sha256);
        return true;
      });
      if (gone) deleted++;
    }
    return { ran: true, forgotten: forgotten.length, deleted };
  }

  /**
   * Forgets the links of uploads that no kept version of their window came to use within the
   * grace: the window may no longer name those blobs (it would have to upload them again). A link
   * also goes with its blob's row and with its window.
   */
  private async forgetStaleLinks(manager: EntityManager, graceSeconds: number): Promise<void> {
    await manager.query(
      `DELETE FROM profile_blob_links l
       WHERE l.linked_at < now() - make_interval(secs => $1)
         AND NOT EXISTS (SELECT 1 FROM profile_version_blobs vb JOIN profile_versions v ON v.id = vb.version_id
                         WHERE v.window_id = l.window_id AND vb.team_id = l.team_id AND vb.sha256 = l.sha256)`,
      [graceSeconds],
    );
  }

  private async collectLogged(): Promise<void> {
    try {
      const result = await this.collect();
      if (result.deleted > 0) this.logger.log(`collected ${result.deleted} profile blobs no version uses`);
    } catch (error) {
      this.logger.warn(`profile blob collection failed: ${(error as Error).message}`);
    }
  }
}
