import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import {
  ConflictError,
  DomainError,
  InvalidParamError,
  NotFoundError,
  ResultCode,
  SCREENSHOT_MAX_BYTES,
  SCREENSHOT_STEPS_MAX,
} from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CloudConfig } from '../config/cloud-config';
import { BlobTooLargeError, receiveBlob } from '../profiles/blob-intake';
import { fromStore } from '../profiles/blob-store';
import type { BlobStore } from '../profiles/blob-store';
import { pngSize } from './png-check';
import { RunShotStore, ShotTarget } from './run-shot-store';
import { RunsService } from './runs.service';

export const RUN_SHOT_STORE = Symbol('RUN_SHOT_STORE');
/** A window run's screenshots, at most: its screenshot steps and the one taken when a step fails. */
export const SHOTS_PER_WINDOW_RUN = SCREENSHOT_STEPS_MAX + 1;
const HOUR = 3_600_000;
const COLLECT_LOCK = 0x636f7305;
const TEAM_LOCK = `SELECT pg_advisory_xact_lock(hashtextextended('run-shot-team:' || $1::text, 0))`;
const HASH_LOCK = `SELECT pg_advisory_xact_lock(hashtextextended('run-shot:' || $1, 0))`;

/**
 * Screenshots of window runs: sent by the device the run was sent to while it is under way (never
 * by another device, never after its answer), taken in only as PNG within the bounds, kept once per
 * hash in their own store, shown to whoever may see the run, and deleted after RUN_SHOTS_KEEP_DAYS.
 */
@Injectable()
export class RunShots implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunShots.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly shots: RunShotStore,
    private readonly runs: RunsService,
    @Inject(RUN_SHOT_STORE) private readonly store: BlobStore,
    private readonly config: CloudConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.collectLogged(), HOUR);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Takes one screenshot in for the window run of `commandId`; checked before the body is read and again once it is. */
  async accept(auth: AuthContext, commandId: string, sha256: string, step: number | null, body: Readable): Promise<{ id: string }> {
    await this.db.transaction((manager) => this.targetOf(manager, auth, commandId));
    let received: { path: string; size: number };
    try {
      received = await receiveBlob(body, sha256, SCREENSHOT_MAX_BYTES, join(this.config.dataDir, 'tmp'));
    } catch (error) {
      if (error instanceof BlobTooLargeError) throw new InvalidParamError(`A screenshot is at most ${SCREENSHOT_MAX_BYTES} bytes`);
      throw error;
    }
    const { path, size } = received;
    try {
      const pixels = pngSize(await fs.readFile(path));
      const id = randomUUID();
      await this.db.transaction(async (manager) => {
        const target = await this.targetOf(manager, auth, commandId);
        // Every upload of the team counts its bytes one after another (after its command's row: one order everywhere).
        await manager.query(TEAM_LOCK, [auth.teamId]);
        const held = await this.shots.teamBytes(manager, auth.teamId);
        if (held + size > this.config.env.RUN_SHOTS_TEAM_MAX_BYTES)
          throw new DomainError(
            ResultCode.Throttled,
            `The team keeps ${held} bytes of run screenshots; this one would pass RUN_SHOTS_TEAM_MAX_BYTES (${this.config.env.RUN_SHOTS_TEAM_MAX_BYTES}) until older ones are deleted`,
          );
        await manager.query(HASH_LOCK, [sha256]);
        if (!(await this.shots.named(manager, sha256))) await fromStore(() => this.store.putFile(sha256, path, size));
        await this.shots.insert(manager, { id, teamId: auth.teamId, ...target, commandId, step, sha256, size }, pixels);
      });
      return { id };
    } finally {
      await fs.rm(path, { force: true });
    }
  }

  /** A screenshot's bytes, for whoever may see its run; anything else is not found. */
  async open(auth: AuthContext, id: string): Promise<{ size: number; stream: Readable }> {
    const shot = await this.shots.find(auth.teamId, id);
    const gone = new NotFoundError(`Screenshot ${id} not found`);
    if (!shot) throw gone;
    try {
      await this.runs.visible(auth, shot.runId);
    } catch (error) {
      if (error instanceof NotFoundError) throw gone;
      throw error;
    }
    const stream = await fromStore(() => this.store.open(shot.sha256));
    if (!stream) throw gone;
    return { size: shot.size, stream };
  }

  /** Deletes screenshots past their days, and the bytes no screenshot names any more, each hash under its lock. */
  async collect(): Promise<{ ran: boolean; deleted: number }> {
    const hashes = await this.db.transaction(async (manager) => {
      const [{ locked }]: { locked: boolean }[] = await manager.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [COLLECT_LOCK]);
      return locked ? this.shots.expire(manager, this.config.env.RUN_SHOTS_KEEP_DAYS) : null;
    });
    if (hashes === null) return { ran: false, deleted: 0 };
    let deleted = 0;
    for (const sha256 of hashes) {
      const gone = await this.db.transaction(async (manager) => {
        await manager.query(HASH_LOCK, [sha256]);
        if (await this.shots.named(manager, sha256)) return false;
        await this.store.delete(sha256);
        return true;
      });
      if (gone) deleted++;
    }
    return { ran: true, deleted };
  }

  private async targetOf(manager: EntityManager, auth: AuthContext, commandId: string): Promise<Omit<ShotTarget, 'shots'>> {
    const target = await this.shots.target(manager, auth.teamId, auth.deviceId, commandId);
    if (!target) throw new NotFoundError(`No run of this device is under way with command ${commandId}`);
    if (target.shots >= SHOTS_PER_WINDOW_RUN) throw new ConflictError(`A window run keeps at most ${SHOTS_PER_WINDOW_RUN} screenshots`);
    return { runId: target.runId, windowId: target.windowId };
  }

  private async collectLogged(): Promise<void> {
    try {
      const result = await this.collect();
      if (result.deleted > 0) this.logger.log(`deleted ${result.deleted} run screenshots past RUN_SHOTS_KEEP_DAYS`);
    } catch (error) {
      this.logger.warn(`run screenshot collection failed: ${(error as Error).message}`);
    }
  }
}
