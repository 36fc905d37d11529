import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A personal API token for scripts: shown once, stored as a hash, revocable. */
@Entity('api_tokens')
export class ApiTokenEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The device id the cloud issued to this token: the one its window leases and profile commits carry. */
  @Column({ name: 'device_id', type: 'varchar', length: 100 })
  deviceId: string;

  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  /** The first characters of the token, so a user can tell their tokens apart. */
  @Column({ name: 'token_prefix', type: 'varchar', length: 20 })
  tokenPrefix: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** The API token that created this one (null: created from a login); revoking it revokes this. */
  @Column({ name: 'parent_id', type: 'integer', nullable: true })
  parentId: number | null;

  /** Whether this token may create tokens itself. */
  @Column({ name: 'may_create_tokens', type: 'boolean', default: false })
  mayCreateTokens: boolean;
}
