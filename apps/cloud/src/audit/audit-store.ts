import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthContext } from '../access/auth-context';
import type { AuditKind } from './audit-log';
import { AuditRow, scopeCondition } from './audit-visibility';

/** Which events of the trail a list shows, besides what the caller may see. */
export interface AuditFilter {
  windowId?: number;
  actorId?: number;
  kind?: AuditKind;
  since?: string;
  until?: string;
}

/** Reads of `audit_events` for the trail's list; `AuditLog` writes them. */
@Injectable()
export class AuditStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A page of the caller's team's trail that the caller may see, newest first, with its total. */
  async page(auth: AuthContext, filter: AuditFilter, offset: number, take: number): Promise<{ rows: AuditRow[]; total: number }> {
    const params: unknown[] = [auth.teamId];
    const where = [`e.team_id = $1`, scopeCondition(auth, params)];
    if (filter.windowId !== undefined) where.push(`e.window_id = $${params.push(filter.windowId)}`);
    if (filter.actorId !== undefined) where.push(`e.actor_id = $${params.push(filter.actorId)}`);
    if (filter.kind !== undefined) where.push(`e.kind = $${params.push(filter.kind)}`);
    if (filter.since !== undefined) where.push(`e.created_at >= $${params.push(filter.since)}`);
    if (filter.until !== undefined) where.push(`e.created_at < $${params.push(filter.until)}`);
    const clause = where.join(' AND ');
    const [rows, [{ total }]] = await Promise.all([
      // The actor's email, the window's name and the device's hostname ride along: a window deleted
      // for good has none, nor a device the team never saw.
      this.db.query<AuditRow[]>(
        `SELECT e.*, u.email AS actor_email, w.name AS window_name, d.hostname AS device_name FROM audit_events e
         LEFT JOIN users u ON u.id = e.actor_id
         LEFT JOIN windows w ON w.id = e.window_id AND w.team_id = e.team_id
         LEFT JOIN devices d ON d.device_id = e.device_id AND d.team_id = e.team_id
         WHERE ${clause} ORDER BY e.id DESC LIMIT ${take} OFFSET ${offset}`,
        params,
      ),
      this.db.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM audit_events e WHERE ${clause}`, params),
    ]);
    return { rows, total };
  }
}
