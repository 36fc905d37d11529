import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsBoolean, IsObject, IsOptional, ValidateBy } from 'class-validator';
import type { WindowRef } from '@cos/contracts';
import { NamesOneWindow } from '@cos/server-common';

/** The seed's six aliases for one window, as the body may send them; what they must name is the subclass's rule. */
abstract class WindowAliases {
  @ApiPropertyOptional({ description: 'Window UUID, recommended' }) @Allow() uuid?: unknown;
  @ApiPropertyOptional({ description: 'Alias of uuid' }) @Allow() config_uuid?: unknown;
  @ApiPropertyOptional({ description: 'Alias of uuid' }) @Allow() browserUuid?: unknown;
  @ApiPropertyOptional({ description: 'Alias of uuid' }) @Allow() browser_uuid?: unknown;
  @ApiPropertyOptional({ description: 'Window id' }) @Allow() id?: unknown;
  @ApiPropertyOptional({ description: 'Alias of id' }) @Allow() browserId?: unknown;
  @ApiPropertyOptional({ description: 'Alias of id' }) @Allow() browser_id?: unknown;
}

/** A call on one window: its aliases name exactly one, kept as `windowRef` by the validation. */
@NamesOneWindow()
export class WindowAliasesDto extends WindowAliases {
  declare readonly windowRef: WindowRef;
}

/** `/browser/open`: a window by reference (`windowRef`), or `oneTime` with a new window's settings and no reference. */
@NamesOneWindow<OpenWindowDto>({
  none: { when: (dto) => dto.oneTime === true, reason: 'oneTime opens a new window; leave out the window reference' },
})
export class OpenWindowDto extends WindowAliases {
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
  @ValidateBy({
    name: 'withOneTime',
    validator: {
      validate: (_window, args) => (args?.object as OpenWindowDto).oneTime === true,
      defaultMessage: () => "window (a new window's settings) goes with oneTime: true",
    },
  })
  @IsObject({ message: "window must be an object: the new window's settings, as /browser/update takes them" })
  window?: Record<string, unknown>;

  /** Unset for a oneTime open. */
  declare readonly windowRef?: WindowRef;
}
