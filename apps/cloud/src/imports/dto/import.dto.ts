import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Allow, ArrayMaxSize, ArrayNotEmpty, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IMPORT_ROWS_MAX, LIMITS, PROXY_LINES_MAX } from '@cos/contracts';
import { PlainName } from '@cos/server-common';

export const IMPORT_OS = ['windows', 'macos', 'linux'] as const;

/** A cell's spaces around a name are no part of it (a spreadsheet keeps them). */
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Tag names trimmed, an empty one (`a,,b`) left out. */
const tagNames = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'string' ? v.trim() : v)).filter((v) => v !== '') : value;

export class ImportWindowsDto {
  @ApiProperty({ type: [Object], maxItems: IMPORT_ROWS_MAX, description: 'Windows to create, each an import row (see the README)' })
  @ArrayMaxSize(IMPORT_ROWS_MAX, { message: `rows takes at most ${IMPORT_ROWS_MAX} rows; send a larger file in batches` })
  @ArrayNotEmpty({ message: `rows must hold 1 to ${IMPORT_ROWS_MAX} rows` })
  @IsArray({ message: `rows must be an array of 1 to ${IMPORT_ROWS_MAX} rows` })
  rows: unknown[];

  @ApiPropertyOptional({ default: false, description: 'Check every row and answer what would happen; nothing is created' })
  @IsOptional()
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;
}

/** One window as an import names it: by names, as exports of other products carry them. */
export class ImportRowDto {
  @IsOptional()
  @MaxLength(100, { message: 'name must be at most 100 characters' })
  @IsString({ message: 'name must be text' })
  @PlainName()
  name?: string;

  @IsOptional()
  @MaxLength(LIMITS.remarkMax, { message: `remark must be at most ${LIMITS.remarkMax} characters` })
  @IsString({ message: 'remark must be text' })
  remark?: string;

  /** A group of the team by its name (it must exist; the console offers to create missing ones). */
  @IsOptional()
  @Transform(trimmed)
  @MaxLength(100, { message: 'group must be a group name of at most 100 characters' })
  @IsString({ message: 'group must be a group name' })
  group?: string;

  @IsOptional()
  @Transform(tagNames)
  @ArrayMaxSize(20, { message: 'tags takes at most 20 tag names' })
  @MaxLength(50, { each: true, message: 'tags must be tag names of at most 50 characters' })
  @IsString({ each: true, message: 'tags must be tag names' })
  @IsArray({ message: 'tags must be an array of tag names' })
  tags?: string[];

  /** `type://user:pass@host:port`, `host:port` or `host:port:user:pass`. */
  @IsOptional()
  @IsString({ message: 'proxy must be text such as socks5://user:pass@host:port' })
  proxy?: string;

  /** A JSON array of cookies (as browser extensions and other products export them) or Netscape cookies.txt text. */
  @IsOptional()
  @Allow()
  cookies?: unknown;

  @IsOptional()
  @IsIn(IMPORT_OS, { message: `os must be one of ${IMPORT_OS.join(', ')}` })
  os?: (typeof IMPORT_OS)[number];

  /** Read and not used: a window's user agent comes from its Firefox fingerprint. */
  @IsOptional()
  @IsString({ message: 'userAgent must be text' })
  userAgent?: string;
}

export class ImportProxiesDto {
  @ApiProperty({
    description: `One proxy per line (type://user:pass@host:port, host:port or host:port:user:pass), at most ${PROXY_LINES_MAX}`,
  })
  @MaxLength(PROXY_LINES_MAX * 1100, { message: 'text is too long' })
  @IsString({ message: 'text must be the pasted proxies, one per line' })
  text: string;

  @ApiPropertyOptional({ default: false, description: 'Check every line and answer what would happen; nothing is saved' })
  @IsOptional()
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;
}
