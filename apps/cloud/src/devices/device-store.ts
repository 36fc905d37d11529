import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { changed } from '../common/sql';
import type { DeviceCapacity, DeviceView } from '@cos/contracts';

interface DeviceRow {
  device_id: string;
  user_id: number;
  email: string;
  hostname: string;
  platform: string;
  version: string;
  capacity: DeviceCapacity;
  online: boolean;
  connected_at: Date | null;
  last_seen_at: Date;
}

export interface DeviceHello {
  deviceId: string;
  teamId: number;
  userId: number;
  hostname: string;
  platform: string;
  version: string;
  capacity: DeviceCapacity;
  lineId: string;
}

/** `online` in SQL: a line holds the device and it was heard within the offline window ($n seconds). */
export const onlineSql = (param: string) => `(d.line_id IS NOT NULL AND d.last_seen_at > now() - make_interval(secs => ${param}))`;

/** The `devices` table: who owns each issued device, what it last told of itself, which line holds it. */
@Injectable()
export class DeviceStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Records a line's hello; answers whether the device was online before (held by another line still heard). */
  async connected(manager: EntityManager, hello: DeviceHello, offlineSeconds: number): Promise<{ wasOnline: boolean }> {
    const [before]: { online: boolean }[] = await manager.query(
      `SELECT ${onlineSql('$2')} AS online FROM devices d WHERE d.device_id = $1 FOR UPDATE`,
      [hello.deviceId, offlineSeconds],
    );
    await manager.query(
      `INSERT INTO devices (device_id, team_id, user_id, hostname, platform, version, capacity, line_id, connected_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, now(), now())
       ON CONFLICT (device_id) DO UPDATE SET team_id = EXCLUDED.team_id, user_id = EXCLUDED.user_id, hostname = EXCLUDED.hostname,
         platform = EXCLUDED.platform, version = EXCLUDED.version, capacity = EXCLUDED.capacity, line_id = EXCLUDED.line_id,
         connected_at = now(), last_seen_at = now()`,
      [
        hello.deviceId,
        hello.teamId,
        hello.userId,
        hello.hostname,
        hello.platform,
        hello.version,
        JSON.stringify(hello.capacity),
        hello.lineId,
      ],
    );
    return { wasOnline: before?.online ?? false };
  }

  /** A heartbeat on the line that holds the device; false when another line holds it now. */
  async heard(deviceId: string, lineId: string, capacity: DeviceCapacity): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      changed`UPDATE devices SET last_seen_at = now(), capacity = $3::jsonb WHERE device_id = $1 AND line_id = $2 RETURNING 1`,
      [deviceId, lineId, JSON.stringify(capacity)],
    );
    return rows.length > 0;
  }

  /** The line let go of the device; true when it still held it (the device is offline now). */
  async disconnected(manager: EntityManager, deviceId: string, lineId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      changed`UPDATE devices SET line_id = NULL WHERE device_id = $1 AND line_id = $2 RETURNING 1`,
      [deviceId, lineId],
    );
    return rows.length > 0;
  }

  /** Lets go of every device whose line was not heard within the offline window; answers those let go. */
  async releaseStale(
    manager: EntityManager,
    offlineSeconds: number,
  ): Promise<{ deviceId: string; teamId: number; userId: number; lineId: string }[]> {
    const rows: { device_id: string; team_id: number; user_id: number; line_id: string }[] = await manager.query(
      changed`UPDATE devices d SET line_id = NULL FROM devices old
        WHERE d.device_id = old.device_id AND d.line_id IS NOT NULL AND d.last_seen_at <= now() - make_interval(secs => $1)
        RETURNING d.device_id, d.team_id, d.user_id, old.line_id`,
      [offlineSeconds],
    );
    return rows.map((r) => ({ deviceId: r.device_id, teamId: r.team_id, userId: r.user_id, lineId: r.line_id }));
  }

  /** The team's devices (of `userId` alone when given), online first, then by the last time heard. */
  async list(teamId: number, userId: number | null, offlineSeconds: number): Promise<DeviceView[]> {
    const rows: DeviceRow[] = await this.db.query(
      `SELECT d.device_id, d.user_id, u.email, d.hostname, d.platform, d.version, d.capacity, d.connected_at, d.last_seen_at,
              ${onlineSql('$3')} AS online
         FROM devices d JOIN users u ON u.id = d.user_id
        WHERE d.team_id = $1 AND ($2::integer IS NULL OR d.user_id = $2)
        ORDER BY online DESC, d.last_seen_at DESC, d.device_id
        LIMIT 1000`,
      [teamId, userId, offlineSeconds],
    );
    return rows.map(view);
  }

  async find(teamId: number, deviceId: string, offlineSeconds: number): Promise<DeviceView | null> {
    const [row]: DeviceRow[] = await this.db.query(
      `SELECT d.device_id, d.user_id, u.email, d.hostname, d.platform, d.version, d.capacity, d.connected_at, d.last_seen_at,
              ${onlineSql('$3')} AS online
         FROM devices d JOIN users u ON u.id = d.user_id
        WHERE d.team_id = $1 AND d.device_id = $2`,
      [teamId, deviceId, offlineSeconds],
    );
    return row ? view(row) : null;
  }
}

function view(row: DeviceRow): DeviceView {
  return {
    deviceId: row.device_id,
    userId: row.user_id,
    email: row.email,
    hostname: row.hostname,
    platform: row.platform,
    version: row.version,
    online: row.online,
    capacity: row.capacity,
    connectedAt: row.connected_at?.toISOString() ?? null,
    lastSeenAt: row.last_seen_at.toISOString(),
  };
}
