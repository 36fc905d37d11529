import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';

/**
 * The seed's six aliases for one window. Their values are checked by `resolveWindowRef`, which
 * words the answers ("only one window per call", ...); here they are only allowed through.
 */
export class WindowAliasesDto {
  @ApiPropertyOptional({ description: 'Window UUID, recommended' }) @Allow() uuid?: unknown;
  @ApiPropertyOptional({ description: 'Alias of uuid' }) @Allow() config_uuid?: unknown;
  @ApiPropertyOptional({ description: 'Alias of uuid' }) @Allow() browserUuid?: unknown;
  @ApiPropertyOptional({ description: 'Alias of uuid' }) @Allow() browser_uuid?: unknown;
  @ApiPropertyOptional({ description: 'Window id' }) @Allow() id?: unknown;
  @ApiPropertyOptional({ description: 'Alias of id' }) @Allow() browserId?: unknown;
  @ApiPropertyOptional({ description: 'Alias of id' }) @Allow() browser_id?: unknown;
}
