import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { COOKIE_FORMATS, LIMITS } from '@cos/contracts';
import type { CookieFormat } from '@cos/contracts';
import { WindowAliasesDto } from '../../browser/dto/window-aliases.dto';
import { STEP_TYPES, STEPS_MAX, TIMEOUT_MAX_MS, WAIT_UNTIL } from '@cos/contracts';
import type { WaitUntil } from '@cos/contracts';

const IMPORT_MODES = ['merge', 'replace'] as const;
/** A cookies.txt of 20,000 long cookies. */
const COOKIE_FILE_MAX = 12 * 1024 * 1024;

/** An optional timeout in milliseconds, 1 to TIMEOUT_MAX_MS. */
function TimeoutMs(description?: string) {
  return applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: TIMEOUT_MAX_MS, default: 30_000, ...(description ? { description } : {}) }),
    IsOptional(),
    Min(1, { message: `timeoutMs must be 1 to ${TIMEOUT_MAX_MS}` }),
    Max(TIMEOUT_MAX_MS, { message: `timeoutMs must be 1 to ${TIMEOUT_MAX_MS}` }),
    IsInt({ message: 'timeoutMs must be an integer' }),
  );
}

/** Class-validator runs a property's checks bottom-up: each type check sits last so it answers first. */
export class NavigateDto extends WindowAliasesDto {
  @ApiProperty({ description: 'An http(s) URL or about:blank', maxLength: LIMITS.urlMax })
  @MaxLength(LIMITS.urlMax, { message: `url must be at most ${LIMITS.urlMax} characters` })
  @IsString({ message: 'url must be a string' })
  url: string;

  @ApiPropertyOptional({ enum: WAIT_UNTIL, default: 'load' })
  @IsOptional()
  @IsIn(WAIT_UNTIL, { message: `waitUntil must be one of ${WAIT_UNTIL.join(', ')}` })
  waitUntil?: WaitUntil;

  @TimeoutMs()
  timeoutMs?: number;
}

export class EvalDto extends WindowAliasesDto {
  @ApiProperty({ description: "JavaScript run in the page's first tab; its completion value, awaited, comes back as JSON" })
  @MinLength(1, { message: 'code must not be empty' })
  @MaxLength(1_000_000, { message: 'code must be at most 1000000 characters' })
  @IsString({ message: 'code must be a string' })
  code: string;

  @TimeoutMs()
  timeoutMs?: number;
}

export class ScreenshotDto extends WindowAliasesDto {
  @ApiPropertyOptional({ enum: ['png', 'jpeg'], default: 'png' })
  @IsOptional()
  @IsIn(['png', 'jpeg'], { message: 'format must be png or jpeg' })
  format?: 'png' | 'jpeg';

  @ApiPropertyOptional({ default: false, description: 'The whole page, not only the viewport' })
  @IsOptional()
  @IsBoolean({ message: 'fullPage must be true or false' })
  fullPage?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, description: 'jpeg only' })
  @IsOptional()
  @Min(1, { message: 'quality must be an integer from 1 to 100' })
  @Max(100, { message: 'quality must be an integer from 1 to 100' })
  @IsInt({ message: 'quality must be an integer from 1 to 100' })
  quality?: number;
}

export class ActionsDto extends WindowAliasesDto {
  @ApiProperty({
    description: `1 to ${STEPS_MAX} steps, each {type: ${STEP_TYPES.join('|')}, ...}; see the README`,
    type: 'array',
    items: { type: 'object' },
  })
  @Allow()
  steps: unknown;

  @TimeoutMs("Each step's timeout unless it names its own")
  timeoutMs?: number;
}

export class SetCookiesDto extends WindowAliasesDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: 'Cookies as /browser/cookies answers them, or as cookie extensions export them',
  })
  @Allow()
  cookies: unknown;
}

export class ClearCookiesDto extends WindowAliasesDto {
  @ApiPropertyOptional({ description: 'Only the cookies a site on this host gets (its own and its parent domains); all when left out' })
  @IsOptional()
  @MinLength(1, { message: 'domain must not be empty' })
  @MaxLength(LIMITS.hostMax, { message: `domain must be at most ${LIMITS.hostMax} characters` })
  @IsString({ message: 'domain must be a string' })
  domain?: string;
}

export class ImportStateDto extends WindowAliasesDto {
  @ApiProperty({ description: 'What /browser/state/export answered as state: {cookies, origins}' })
  @IsObject({ message: 'state must be an object {cookies, origins}' })
  state: Record<string, unknown>;

  @TimeoutMs('Per origin opened in a temporary tab')
  timeoutMs?: number;
}

export class ExportCookieFileDto extends WindowAliasesDto {
  @ApiPropertyOptional({ enum: COOKIE_FORMATS, default: 'json', description: 'json: cookie extensions; netscape: cookies.txt' })
  @IsOptional()
  @IsIn(COOKIE_FORMATS, { message: `format must be one of ${COOKIE_FORMATS.join(', ')}` })
  format?: CookieFormat;
}

export class ImportCookieFileDto extends ExportCookieFileDto {
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, description: 'format json: the cookies' })
  @IsOptional()
  @IsArray({ message: 'cookies must be an array of cookie objects' })
  cookies?: unknown[];

  @ApiPropertyOptional({ description: 'format netscape: the cookies.txt file' })
  @IsOptional()
  @MaxLength(COOKIE_FILE_MAX, { message: `text must be at most ${COOKIE_FILE_MAX} characters` })
  @IsString({ message: 'text must be the cookies.txt file as a string' })
  text?: string;

  @ApiPropertyOptional({ enum: IMPORT_MODES, default: 'merge', description: 'replace: only these cookies remain' })
  @IsOptional()
  @IsIn(IMPORT_MODES, { message: `mode must be one of ${IMPORT_MODES.join(', ')}` })
  mode?: (typeof IMPORT_MODES)[number];
}
