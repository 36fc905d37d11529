import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IsIsoDateTime } from '../../common/date-time.validator';
import { IsId, PageDto } from '../../common/id.decorators';
import { AUDIT_KINDS } from '../audit-log';
import type { AuditKind } from '../audit-log';
import { LeftOutOr } from '../../common/left-out.validator';

export class ListAuditDto extends PageDto {
  @IsId({ optional: true, description: 'Only events of this window' })
  windowId?: number;

  @IsId({ optional: true, description: 'Only changes made by this user' })
  actorId?: number;

  @ApiPropertyOptional({ enum: AUDIT_KINDS })
  // Left out lists every kind; null is no kind, refused by name (it listed nothing).
  @LeftOutOr()
  @IsIn(AUDIT_KINDS, { message: `kind must be one of ${AUDIT_KINDS.join(', ')}` })
  kind?: AuditKind;

  @IsIsoDateTime('Events at or after this time')
  since?: string;

  @IsIsoDateTime('Events before this time')
  until?: string;
}
