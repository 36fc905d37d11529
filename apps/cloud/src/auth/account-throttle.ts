import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ResultCode } from '@cos/contracts';
import { CloudConfig } from '../config/cloud-config';
import { hashToken } from '../crypto/secret-box';
import { DatabaseThrottlerStorage } from './database-throttler.storage';

/**
 * Wrong passwords per account, whatever address they come from (the per-address throttles do not
 * see one account guessed at from many addresses). Over the limit, an address the account signed
 * in from before still gets its password checked, so the owner is not locked out by the guessing;
 * any other address is answered 429 before the password is looked at, whether the account exists
 * or not. Counted in `throttle_hits`, shared by every instance; known addresses in
 * `login_addresses`, hashed.
 */
@Injectable()
export class AccountThrottle {
  private readonly counts: DatabaseThrottlerStorage;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: CloudConfig,
  ) {
    this.counts = new DatabaseThrottlerStorage(db);
  }

  async assertMayTry(email: string, userId: number | null, address: string): Promise<void> {
    if ((await this.counts.hits(this.key(email))) < this.config.env.LOGIN_ACCOUNT_THROTTLE_LIMIT) return;
    if (userId !== null && (await this.isKnown(userId, address))) return;
    throw new DomainError(
      ResultCode.Throttled,
      'Too many wrong passwords for this account; try again later, or from a device that signed in before',
    );
  }

  async failed(email: string): Promise<void> {
    const env = this.config.env;
    await this.counts.increment(this.key(email), env.LOGIN_ACCOUNT_THROTTLE_SECONDS * 1000, env.LOGIN_ACCOUNT_THROTTLE_LIMIT);
  }

  /** The address a user just signed in (or registered) from becomes known. */
  async signedIn(manager: EntityManager, userId: number, address: string): Promise<void> {
    await manager.query(
      `INSERT INTO login_addresses (user_id, address_hash) VALUES ($1, $2)
       ON CONFLICT (user_id, address_hash) DO UPDATE SET last_login_at = now()`,
      [userId, hashToken(address)],
    );
  }

  private async isKnown(userId: number, address: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM login_addresses WHERE user_id = $1 AND address_hash = $2`, [
      userId,
      hashToken(address),
    ]);
    return rows.length > 0;
  }

  private key(email: string): string {
    return `account:${email.trim().toLowerCase()}`;
  }
}
