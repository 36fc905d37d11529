import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One login: a refresh-token family. Access tokens name the session, so logging out or a detected
 * refresh-token reuse ends every token of the family at once.
 */
@Entity('auth_sessions')
export class SessionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  /** The device id the cloud issued to this login: the one its window leases and profile commits carry. */
  @Column({ name: 'device_id', type: 'varchar', length: 100 })
  deviceId: string;

  @Column({ name: 'refresh_hash', type: 'char', length: 64 })
  refreshHash: string;

  /**
   * The refresh token this one replaced: presenting it again means it leaked, unless it comes
   * within `REFRESH_REUSE_GRACE_SECONDS` of `rotatedAt` (an answer its client never got).
   */
  @Column({ name: 'previous_refresh_hash', type: 'char', length: 64, nullable: true })
  previousRefreshHash: string | null;

  /** The current refresh token sealed (`SecretBox`): answered again to its twin refreshes within the grace. */
  @Column({ name: 'refresh_sealed', type: 'text', nullable: true })
  refreshSealed: string | null;

  /** Hashes of the tokens replaced before `previousRefreshHash`, newest first, space-separated (at most `RETIRED_MAX`). */
  @Column({ name: 'retired_hashes', type: 'text', nullable: true })
  retiredHashes: string | null;

  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true })
  rotatedAt: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
