import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { COOKIES_MAX } from '@cos/contracts';
import { CookieDto, DEVICE } from '../../launch/dto/launch.dto';
import { WindowRefDto } from '../../windows/dto/window.dto';

export const IMPORT_MODES = ['merge', 'replace'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export class ExportCookiesDto extends WindowRefDto {
  @ApiPropertyOptional({ description: "The agent's device id, recorded in the audit trail with the read", maxLength: 100 })
  @IsOptional()
  @IsString()
  @Matches(DEVICE, { message: 'deviceId must be 1 to 100 letters, digits, dots, dashes, colons or underscores' })
  deviceId?: string;
}

export class ImportCookiesDto extends WindowRefDto {
  @ApiProperty({ type: [CookieDto], description: `At most ${COOKIES_MAX} cookies` })
  @ValidateNested({ each: true })
  @Type(() => CookieDto)
  @ArrayMaxSize(COOKIES_MAX, { message: `cookies: at most ${COOKIES_MAX} cookies per window` })
  // Checked first (decorators apply bottom-up): a missing or scalar cookies field is named as such.
  @IsArray({ message: 'cookies must be an array of cookies' })
  cookies: CookieDto[];

  @ApiPropertyOptional({
    enum: IMPORT_MODES,
    default: 'merge',
    description: 'merge: a cookie with the same name, domain and path is replaced, the others kept; replace: only these cookies remain',
  })
  @IsOptional()
  @IsIn(IMPORT_MODES, { message: `mode must be one of ${IMPORT_MODES.join(', ')}` })
  mode?: ImportMode;
}
