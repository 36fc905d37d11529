import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { Pool, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { pgClientConfig, poolConfig } from './data-source';
import { DatabaseLocation } from './database-location';

/**
 * The hottest reads (a window's detail, list pages), run as named prepared statements on
 * connections of their own whose plans are generic: PostgreSQL parses and plans each statement
 * once per connection instead of at every call, which was most of its work per request. Only for
 * statements of a few fixed shapes whose every value is a parameter, and whose one good plan does
 * not depend on those values (index lookups and ordered index scans). The embedded database is
 * one session, shared with everything else, so there they run on the one connection with the
 * usual plans.
 *
 * Which statements a connection has prepared is known to `pg` per connection, and the server
 * forgets them with its session: a new connection starts with neither (the embedded database's
 * one session is reset for each new connection, see `EmbeddedPostgres.POOL`), so the two agree.
 */
/** The name a statement is prepared under: the same on every connection and instance. */
export function statementName(text: string): string {
  return `cos_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
}

@Injectable()
export class PreparedReads implements OnApplicationShutdown {
  private readonly logger = new Logger(PreparedReads.name);
  private readonly pool: Pool;
  private readonly ownPool: boolean;
  /** Statement text → name; the texts are a fixed set of shapes. */
  private readonly names = new Map<string, string>();

  constructor(location: DatabaseLocation, @InjectDataSource() db: DataSource) {
    this.ownPool = location.mode === 'postgres';
    if (!this.ownPool) {
      this.pool = (db.driver as PostgresDriver).master as Pool;
      return;
    }
    this.pool = new Pool({
      ...pgClientConfig(location.target, 'cos-reads'),
      ...poolConfig(location.pool),
      options: '-c plan_cache_mode=force_generic_plan',
    });
    // A connection that dies while idle is dropped by the pool; the next read opens another.
    this.pool.on('error', (error) => this.logger.warn(`read connection lost: ${error.message}`));
  }

  async query<T extends QueryResultRow>(text: string, values: unknown[]): Promise<T[]> {
    let name = this.names.get(text);
    if (!name) {
      name = statementName(text);
      this.names.set(text, name);
    }
    return (await this.pool.query<T>({ name, text, values })).rows;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ownPool) await this.pool.end();
  }
}
