import { Global, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CloudConfig } from '../config/cloud-config';
import { dataSourceOptions, pgClientConfig } from './data-source';
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

@Module({
  providers: [{ provide: DatabaseLocation, inject: [CloudConfig], useFactory: (config: CloudConfig) => DatabaseLocation.resolve(config) }],
  exports: [DatabaseLocation],
})
class DatabaseLocationModule {}

/** Any number that names the migration lock; every instance uses the same. */
const MIGRATION_LOCK = 0x636f7302;

/**
 * Runs the migrations at start. Replicas starting together on one PostgreSQL take turns on an
 * advisory lock held by a connection of its own (the pool may be one connection), so one
 * migrates and the others find the work done. The embedded database has one instance.
 */
@Injectable()
export class MigrationsAtStart implements OnModuleInit {
  private readonly logger = new Logger(MigrationsAtStart.name);

  constructor(
    private readonly location: DatabaseLocation,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.location.mode === 'embedded') {
      await this.migrate();
      return;
    }
    const lock = new Client(pgClientConfig(this.location.target, 'cos-migrations'));
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await this.migrate();
    } finally {
      await lock.end();
    }
  }

  private async migrate(): Promise<void> {
    const applied = await this.db.runMigrations({ transaction: 'each' });
    if (applied.length > 0) this.logger.log(`applied migrations: ${applied.map((m) => m.name).join(', ')}`);
  }
}

@Global()
@Module({
  providers: [MigrationsAtStart],
  imports: [
    DatabaseLocationModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseLocationModule],
      inject: [DatabaseLocation],
      useFactory: (location: DatabaseLocation) => dataSourceOptions(location.target, location.poolSize),
    }),
  ],
  exports: [DatabaseLocationModule],
})
export class DatabaseModule {}
