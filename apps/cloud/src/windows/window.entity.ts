import { Column, CreateDateColumn, Entity, Generated, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { BrowserFingerprint, OpenStatus, ProxyMethod, ProxyType, StoredCookie, WindowConfig } from '@cos/contracts';

export interface ProfileRecord {
  zipName: string;
  zipSize: number;
  sha256: string;
}

@Entity('windows')
export class WindowEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'uuid', unique: true })
  @Generated('uuid')
  uuid: string;

  @Column({ name: 'team_id', type: 'integer' })
  teamId: number;

  /** Per-team display number. */
  @Column({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ name: 'group_id', type: 'integer', nullable: true })
  groupId: number | null;

  @Column({ type: 'varchar', length: 1000, default: '' })
  remark: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  fingerprint: BrowserFingerprint;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  config: WindowConfig;

  @Column({ name: 'proxy_method', type: 'smallint', default: 2 })
  proxyMethod: ProxyMethod;

  @Column({ name: 'proxy_type', type: 'varchar', length: 10, default: 'direct' })
  proxyType: ProxyType;

  @Column({ name: 'proxy_host', type: 'varchar', length: 255, default: '' })
  proxyHost: string;

  @Column({ name: 'proxy_port', type: 'integer', nullable: true })
  proxyPort: number | null;

  @Column({ name: 'proxy_username', type: 'varchar', length: 255, default: '' })
  proxyUsername: string;

  /** AES-256-GCM sealed; see SecretBox. */
  @Column({ name: 'proxy_password_enc', type: 'text', nullable: true })
  proxyPasswordSealed: string | null;

  @Column({ name: 'dynamic_ip_url', type: 'varchar', length: 2048, default: '' })
  dynamicIpUrl: string;

  @Column({ name: 'dynamic_ip_channel', type: 'varchar', length: 100, default: '' })
  dynamicIpChannel: string;

  @Column({ name: 'is_dynamic_ip_change_ip', type: 'boolean', default: false })
  isDynamicIpChangeIp: boolean;

  @Column({ name: 'refresh_proxy_url', type: 'varchar', length: 2048, default: '' })
  refreshProxyUrl: string;

  @Column({ name: 'ip_check_service', type: 'varchar', length: 100, default: '' })
  ipCheckService: string;

  @Column({ name: 'enable_socks5_udp', type: 'boolean', default: false })
  enableSocks5Udp: boolean;

  @Column({ name: 'proxy_id', type: 'integer', nullable: true })
  proxyId: number | null;

  /** Loaded only by the agent-facing endpoints: it can be large. */
  @Column({ type: 'jsonb', default: () => "'[]'", select: false })
  cookies: StoredCookie[];

  @Column({ type: 'jsonb', nullable: true })
  profile: ProfileRecord | null;

  /** The roaming profile's current version; null before the first commit. */
  @Column({ name: 'profile_version', type: 'integer', nullable: true })
  profileVersion: number | null;

  @Column({ name: 'open_status', type: 'varchar', length: 10, default: 'closed' })
  openStatus: OpenStatus;

  @Column({ name: 'open_device_id', type: 'varchar', length: 100, nullable: true })
  openDeviceId: string | null;

  @Column({ name: 'open_pid', type: 'integer', nullable: true })
  openPid: number | null;

  @Column({ name: 'open_lease_until', type: 'timestamptz', nullable: true })
  openLeaseUntil: Date | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @Column({ name: 'deleted_by', type: 'integer', nullable: true })
  deletedBy: number | null;
}
