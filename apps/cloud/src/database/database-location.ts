import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { CloudConfig } from '../config/cloud-config';
import type { DatabaseTarget } from './data-source';
import { EmbeddedPostgres } from './embedded-postgres';

export type DatabaseMode = 'postgres' | 'embedded';

/**
 * Where the database is: `DATABASE_URL` with a pool of `DATABASE_POOL_SIZE`, or an embedded
 * PostgreSQL started for this process, which is one session and so gets a pool of one.
 */
@Injectable()
export class DatabaseLocation implements OnApplicationShutdown {
  constructor(
    readonly target: DatabaseTarget,
    readonly poolSize: number,
    readonly mode: DatabaseMode,
    private readonly embedded: EmbeddedPostgres | null,
  ) {}

  static async resolve(config: CloudConfig): Promise<DatabaseLocation> {
    if (config.env.DATABASE_URL)
      return new DatabaseLocation({ url: config.env.DATABASE_URL }, config.env.DATABASE_POOL_SIZE, 'postgres', null);
    const embedded = await EmbeddedPostgres.start(config.dataDir);
    return new DatabaseLocation(embedded.connection, 1, 'embedded', embedded);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedded?.stop();
  }
}
