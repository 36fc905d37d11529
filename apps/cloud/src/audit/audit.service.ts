import { Injectable } from '@nestjs/common';
import { AuthContext } from '../access/auth-context';
import { pageOf } from '../common/id.decorators';
import { AuditStore } from './audit-store';
import { listedAuditView } from './audit-visibility';
import { ListAuditDto } from './dto/audit.dto';

@Injectable()
export class AuditService {
  constructor(private readonly events: AuditStore) {}

  /** The team's trail, newest first, filtered; a member limited to groups sees window events of those groups only. */
  async list(auth: AuthContext, dto: ListAuditDto) {
    const { page, pageSize, offset } = pageOf(dto);
    const { rows, total } = await this.events.page(auth, dto, offset, pageSize);
    return { list: rows.map(listedAuditView), total, page, pageSize };
  }
}
