import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthContext } from '../access/auth-context';
import { pageOf } from '../common/id.decorators';
import { AuditRow, auditView, scopeCondition } from './audit-visibility';
import { ListAuditDto } from './dto/audit.dto';

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The team's trail, newest first, filtered; a member limited to groups sees window events of those groups only. */
  async list(auth: AuthContext, dto: ListAuditDto) {
    const { page, pageSize, offset } = pageOf(dto);
    const params: unknown[] = [auth.teamId];
    const where = [`e.team_id = $1`, scopeCondition(auth, params)];
    if (dto.windowId !== undefined) where.push(`e.window_id = $${params.push(dto.windowId)}`);
    if (dto.actorId !== undefined) where.push(`e.actor_id = $${params.push(dto.actorId)}`);
    if (dto.kind !== undefined) where.push(`e.kind = $${params.push(dto.kind)}`);
    if (dto.since !== undefined) where.push(`e.created_at >= $${params.push(dto.since)}`);
    if (dto.until !== undefined) where.push(`e.created_at < $${params.push(dto.until)}`);
    const clause = where.join(' AND ');
    const [rows, [{ total }]] = await Promise.all([
      this.db.query<AuditRow[]>(
        `SELECT e.* FROM audit_events e WHERE ${clause} ORDER BY e.id DESC LIMIT ${pageSize} OFFSET ${offset}`,
        params,
      ),
      this.db.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM audit_events e WHERE ${clause}`, params),
    ]);
    return { list: rows.map(auditView), total, page, pageSize };
  }
}
