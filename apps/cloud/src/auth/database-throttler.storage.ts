import { Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';

const keyHash = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Throttler counters in PostgreSQL: one row per key, counted up in one statement and started
 * afresh once its window has passed, so every cloud instance behind a load balancer counts the
 * same attempts. Expired rows are swept by the recycle-bin purger's hourly run.
 */
@Injectable()
export class DatabaseThrottlerStorage implements ThrottlerStorage {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Deletes the counters whose window has passed, in the caller's transaction (the purger's hourly run). */
  static async sweep(manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM throttle_hits WHERE expires_at < now()`);
  }

  /** Hits counted for the key in its current window, without counting one more. */
  async hits(key: string): Promise<number> {
    const rows: { hits: number }[] = await this.db.query(`SELECT hits FROM throttle_hits WHERE key = $1 AND expires_at > now()`, [
      keyHash(key),
    ]);
    return rows[0]?.hits ?? 0;
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const [row]: { hits: number; ms_left: number }[] = await this.db.query(
      `INSERT INTO throttle_hits (key, hits, expires_at) VALUES ($1, 1, now() + make_interval(secs => $2::float8 / 1000))
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN throttle_hits.expires_at <= now() THEN 1 ELSE throttle_hits.hits + 1 END,
         expires_at = CASE WHEN throttle_hits.expires_at <= now() THEN excluded.expires_at ELSE throttle_hits.expires_at END
       RETURNING hits, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS ms_left`,
      [keyHash(key), ttl],
    );
    const secondsLeft = Math.max(1, Math.ceil(row.ms_left / 1000));
    const isBlocked = row.hits > limit;
    return { totalHits: row.hits, timeToExpire: secondsLeft, isBlocked, timeToBlockExpire: isBlocked ? secondsLeft : 0 };
  }
}
