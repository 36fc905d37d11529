import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsBoolean, IsObject, IsOptional } from 'class-validator';

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

/** `/browser/open`: a window by reference, or `oneTime` with a new window's settings. */
export class OpenWindowDto extends WindowAliasesDto {
  @ApiPropertyOptional({ description: 'Create the window from `window`, open it, and delete it for good once it closes' })
  @IsOptional()
  @IsBoolean({ message: 'oneTime must be true or false' })
  oneTime?: boolean;

  @ApiPropertyOptional({
    description: "With oneTime: the new window's settings, as /browser/update takes them",
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject({ message: "window must be an object: the new window's settings, as /browser/update takes them" })
  window?: Record<string, unknown>;
}
