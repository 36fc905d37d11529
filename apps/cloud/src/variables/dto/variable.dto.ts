import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsId } from '../../common/id.decorators';

export const STORED_VALUE_MAX = 10_000;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const NAME_MESSAGE = 'name must be letters, digits and _ (at most 64, not starting with a digit)';

export class VariableWhereDto {
  @IsId({ optional: true, description: "A window's own values; the team's when left out" })
  windowId?: number;
}

export class VariableNameDto extends VariableWhereDto {
  @ApiProperty({ pattern: NAME.source, description: 'The name steps use as {{name}}' })
  @Matches(NAME, { message: NAME_MESSAGE })
  @IsString({ message: NAME_MESSAGE })
  name: string;
}

export class SetVariableDto extends VariableNameDto {
  @ApiProperty({ maxLength: STORED_VALUE_MAX, description: 'The value; a secret is sealed and never read back' })
  @MaxLength(STORED_VALUE_MAX, { message: `value must be text of at most ${STORED_VALUE_MAX} characters` })
  @IsString({ message: `value must be text of at most ${STORED_VALUE_MAX} characters` })
  value: string;

  @ApiPropertyOptional({ default: false, description: 'Sealed like a proxy password: runs use it, no answer shows it' })
  @IsOptional()
  @IsBoolean({ message: 'secret must be true or false' })
  secret?: boolean;
}
