import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { SavedProxyType } from '@cos/contracts';

export type ProxyCheckStatus = 'unchecked' | 'ok' | 'failed';

@Entity('proxies')
export class SavedProxyEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'team_id', type: 'integer' })
  teamId: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ name: 'proxy_type', type: 'varchar', length: 10 })
  proxyType: SavedProxyType;

  @Column({ type: 'varchar', length: 255 })
  host: string;

  @Column({ type: 'integer' })
  port: number;

  @Column({ type: 'varchar', length: 255, default: '' })
  username: string;

  /** AES-256-GCM sealed; see SecretBox. */
  @Column({ name: 'password_enc', type: 'text', nullable: true })
  passwordSealed: string | null;

  @Column({ type: 'varchar', length: 1000, default: '' })
  remark: string;

  @Column({ name: 'check_status', type: 'varchar', length: 10, default: 'unchecked' })
  checkStatus: ProxyCheckStatus;

  @Column({ name: 'check_ip', type: 'varchar', length: 64, default: '' })
  checkIp: string;

  @Column({ name: 'check_country', type: 'varchar', length: 8, default: '' })
  checkCountry: string;

  @Column({ name: 'check_timezone', type: 'varchar', length: 64, default: '' })
  checkTimezone: string;

  @Column({ name: 'check_message', type: 'varchar', length: 500, default: '' })
  checkMessage: string;

  @Column({ name: 'checked_at', type: 'timestamptz', nullable: true })
  checkedAt: Date | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
