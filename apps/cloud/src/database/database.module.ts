import { Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CloudConfig } from '../config/cloud-config';
import { dataSourceOptions } from './data-source';
import { EmbeddedPostgres } from './embedded-postgres';

export type DatabaseMode = 'postgres' | 'embedded';

/** Where the database is: `DATABASE_URL`, or an embedded PostgreSQL started for this process. */
@Injectable()
export class DatabaseLocation implements OnApplicationShutdown {
  constructor(
    readonly url: string,
    readonly mode: DatabaseMode,
    private readonly embedded: EmbeddedPostgres | null,
  ) {}

  static async resolve(config: CloudConfig): Promise<DatabaseLocation> {
    if (config.env.DATABASE_URL) return new DatabaseLocation(config.env.DATABASE_URL, 'postgres', null);
    const embedded = await EmbeddedPostgres.start(config.dataDir, config.env.DATABASE_POOL_SIZE);
    return new DatabaseLocation(embedded.url, 'embedded', embedded);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedded?.stop();
  }
}

@Module({
  providers: [{ provide: DatabaseLocation, inject: [CloudConfig], useFactory: DatabaseLocation.resolve }],
  exports: [DatabaseLocation],
})
class DatabaseLocationModule {}

@Global()
@Module({
  imports: [
    DatabaseLocationModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseLocationModule],
      inject: [DatabaseLocation, CloudConfig],
      useFactory: (location: DatabaseLocation, config: CloudConfig) =>
        dataSourceOptions(location.url, config.env.DATABASE_POOL_SIZE),
    }),
  ],
  exports: [DatabaseLocationModule],
})
export class DatabaseModule {}
