import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional } from 'class-validator';
import { IsId, PageDto } from '../../common/id.decorators';
import { AUDIT_KINDS } from '../audit-log';
import type { AuditKind } from '../audit-log';

export class ListAuditDto extends PageDto {
  @IsId({ optional: true, description: 'Only events of this window' })
  windowId?: number;

  @IsId({ optional: true, description: 'Only changes made by this user' })
  actorId?: number;

  @ApiPropertyOptional({ enum: AUDIT_KINDS })
  @IsOptional()
  @IsIn(AUDIT_KINDS, { message: `kind must be one of ${AUDIT_KINDS.join(', ')}` })
  kind?: AuditKind;

  @ApiPropertyOptional({ description: 'ISO time: events at or after it' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'since must be an ISO 8601 time' })
  since?: string;

  @ApiPropertyOptional({ description: 'ISO time: events before it' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'until must be an ISO 8601 time' })
  until?: string;
}
