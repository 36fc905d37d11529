import { Global, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CloudConfig } from '../config/cloud-config';
import { dataSourceOptions, pgClientConfig } from './data-source';
import { DatabaseLocation } from './database-location';
import { PreparedReads } from './prepared-reads';

export { DatabaseLocation } from './database-location';
export type { DatabaseMode } from './database-location';

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
  providers: [MigrationsAtStart, PreparedReads],
  imports: [
    DatabaseLocationModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseLocationModule],
      inject: [DatabaseLocation],
      // Each feature module registers its own tables (`TypeOrmModule.forFeature`).
      useFactory: (location: DatabaseLocation) => ({ ...dataSourceOptions(location.target, location.pool), autoLoadEntities: true }),
    }),
  ],
  exports: [DatabaseLocationModule, PreparedReads],
})
export class DatabaseModule {}
