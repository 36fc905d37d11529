import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log';
import { CloudConfig } from '../config/cloud-config';
import { WindowStore } from '../windows/window-store';
import { DatabaseThrottlerStorage } from '../auth/database-throttler.storage';

const HOUR = 3_600_000;

/** Any number that names this job's advisory lock; all instances use the same. */
const PURGE_LOCK = 0x636f7301;

export interface PurgeRun {
  /** False when another instance held the job: it was its run. */
  ran: boolean;
  deleted: number;
}

/**
 * Deletes windows that stayed in the recycle bin past the retention period (and expired login
 * throttle counters), at start and hourly. With several instances on one database only the one
 * that takes the advisory lock runs; the others skip that round.
 */
@Injectable()
export class RecyclePurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RecyclePurger.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: CloudConfig,
    private readonly audit: AuditLog,
    private readonly windows: WindowStore,
  ) {}

  onApplicationBootstrap(): void {
    void this.purgeLogged();
    this.timer = setInterval(() => void this.purgeLogged(), HOUR);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async purge(): Promise<PurgeRun> {
    return this.db.transaction(async (manager) => {
      const [{ locked }]: { locked: boolean }[] = await manager.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [PURGE_LOCK]);
      if (!locked) return { ran: false, deleted: 0 };
      const gone = await this.windows.deleteBinnedBefore(manager, this.config.env.RECYCLE_RETENTION_DAYS);
      await this.audit.recordGone(
        manager,
        { actorId: null, kind: 'window.purged', data: { retentionDays: this.config.env.RECYCLE_RETENTION_DAYS } },
        gone,
      );
      await DatabaseThrottlerStorage.sweep(manager);
      return { ran: true, deleted: gone.length };
    });
  }

  private async purgeLogged(): Promise<void> {
    try {
      const { deleted } = await this.purge();
      if (deleted > 0)
        this.logger.log(`purged ${deleted} window(s) older than ${this.config.env.RECYCLE_RETENTION_DAYS} days from the recycle bin`);
    } catch (error) {
      this.logger.warn(`recycle bin purge failed: ${(error as Error).message}`);
    }
  }
}
