import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CloudConfig } from '../config/cloud-config';

const HOUR = 3_600_000;

/** Deletes windows that stayed in the recycle bin past the retention period, at start and hourly. */
@Injectable()
export class RecyclePurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RecyclePurger.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: CloudConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.purgeLogged();
    this.timer = setInterval(() => void this.purgeLogged(), HOUR);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async purge(): Promise<number> {
    const [, deleted]: [unknown, number] = await this.db.query(
      `DELETE FROM windows WHERE deleted_at IS NOT NULL AND deleted_at < now() - make_interval(days => $1)`,
      [this.config.env.RECYCLE_RETENTION_DAYS],
    );
    return deleted;
  }

  private async purgeLogged(): Promise<void> {
    try {
      const deleted = await this.purge();
      if (deleted > 0)
        this.logger.log(`purged ${deleted} window(s) older than ${this.config.env.RECYCLE_RETENTION_DAYS} days from the recycle bin`);
    } catch (error) {
      this.logger.warn(`recycle bin purge failed: ${(error as Error).message}`);
    }
  }
}
