import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { CloudConfig } from '../config/cloud-config';
import type { DatabaseTarget, PoolSettings } from './data-source';
import { EmbeddedPostgres } from './embedded-postgres';

export type DatabaseMode = 'postgres' | 'embedded';

/**
 * Where the database is and how pools reach it: `DATABASE_URL` with pools of `DATABASE_POOL_SIZE`
 * connections closed after `DATABASE_POOL_IDLE_SECONDS` idle, or an embedded PostgreSQL started
 * for this process, which is one session and so gets the one connection it allows.
 */
@Injectable()
export class DatabaseLocation implements OnApplicationShutdown {
  constructor(
    readonly target: DatabaseTarget,
    readonly pool: PoolSettings,
    readonly mode: DatabaseMode,
    private readonly embedded: EmbeddedPostgres | null,
  ) {}

  static async resolve(config: CloudConfig): Promise<DatabaseLocation> {
    if (config.env.DATABASE_URL)
      return new DatabaseLocation(
        { url: config.env.DATABASE_URL },
        { size: config.env.DATABASE_POOL_SIZE, idleMs: config.env.DATABASE_POOL_IDLE_SECONDS * 1000 },
        'postgres',
        null,
      );
    const embedded = await EmbeddedPostgres.start(config.dataDir);
    return new DatabaseLocation(embedded.connection, EmbeddedPostgres.POOL, 'embedded', embedded);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedded?.stop();
  }
}
