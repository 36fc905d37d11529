import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { COOKIES_MAX, LIMITS, SHA256_HEX, SYNC_KEYS, UUID } from '@cos/contracts';
import { CookieDto, CookiesEpochField, DeviceWindowDto } from '../../launch/dto/launch.dto';
import { WindowRefDto } from '../../windows/dto/window.dto';

export const SHA256 = SHA256_HEX;
export const PROFILE_FILES_MAX = 100_000;

export class ProfileFileDto {
  @ApiProperty({ description: 'Relative to the profile folder, "/"-separated' })
  @MaxLength(1024, { message: 'path must be at most 1024 characters' })
  @IsString({ message: 'path must be a string' })
  path: string;

  @ApiProperty()
  @Min(0, { message: 'size must be a whole number of bytes' })
  @Max(Number.MAX_SAFE_INTEGER)
  @IsInt({ message: 'size must be a whole number of bytes' })
  size: number;

  @ApiProperty({ description: 'Lower-case hex' })
  @Matches(SHA256, { message: 'sha256 must be 64 lower-case hex digits' })
  sha256: string;
}

export class MissingBlobsDto extends WindowRefDto {
  @ApiProperty({ type: [String], description: 'Hashes of the blobs a commit will reference' })
  @ArrayMaxSize(PROFILE_FILES_MAX, { message: `sha256s: at most ${PROFILE_FILES_MAX} hashes` })
  @Matches(SHA256, { each: true, message: 'sha256s must be 64 lower-case hex digits each' })
  @IsArray({ message: 'sha256s must be an array of hashes' })
  sha256s: string[];
}

export class BlobQueryDto {
  @ApiProperty({ format: 'uuid' })
  @Matches(UUID, { message: 'uuid must be a window UUID' })
  uuid: string;

  @ApiProperty()
  @Matches(SHA256, { message: 'sha256 must be 64 lower-case hex digits' })
  sha256: string;
}

/** Only the sync settings a window has, each a boolean: a version keeps nothing else a member sends. */
@ValidatorConstraint({ name: 'syncSettings' })
class SyncSettingsShape implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return true; // IsObject names it
    return Object.entries(value).every(([key, setting]) => (SYNC_KEYS as readonly string[]).includes(key) && typeof setting === 'boolean');
  }

  defaultMessage(): string {
    return `sync takes only booleans named ${SYNC_KEYS.join(', ')}`;
  }
}

export class CommitProfileDto extends DeviceWindowDto {
  @ApiProperty({ format: 'uuid', description: "The commit's own id: sending it again answers the version it made" })
  @Matches(UUID, { message: 'commitId must be a UUID' })
  commitId: string;

  @ApiProperty({ nullable: true, description: 'The version this profile was made from (null: none); must still be current' })
  @ValidateIf((_o, value) => value !== null)
  @Min(1, { message: 'baseVersion must be a positive integer or null' })
  @Max(LIMITS.idMax)
  @IsInt({ message: 'baseVersion must be a positive integer or null' })
  baseVersion: number | null;

  @ApiProperty({ description: `The sync settings the version was made with: booleans named ${SYNC_KEYS.join(', ')}` })
  @IsObject({ message: 'sync must be an object' })
  @Validate(SyncSettingsShape)
  sync: Record<string, unknown>;

  @CookiesEpochField()
  cookiesEpoch?: number;

  @ApiPropertyOptional({
    type: [CookieDto],
    description: "The browser's cookies at the close; with syncCookies they become the window's stored cookies with this version",
  })
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => CookieDto)
  @ArrayMaxSize(COOKIES_MAX, { message: `cookies: at most ${COOKIES_MAX} cookies` })
  @IsArray({ message: 'cookies must be an array of cookies' })
  cookies?: CookieDto[];

  @ApiProperty({ type: [ProfileFileDto] })
  @ValidateNested({ each: true })
  @Type(() => ProfileFileDto)
  @ArrayMaxSize(PROFILE_FILES_MAX, { message: `files: at most ${PROFILE_FILES_MAX} files` })
  @IsArray({ message: 'files must be an array of {path, size, sha256}' })
  files: ProfileFileDto[];
}

export class ManifestDto extends WindowRefDto {
  @ApiPropertyOptional({ description: 'Left out: the current version' })
  @IsOptional()
  @Min(1, { message: 'version must be a positive integer' })
  @Max(LIMITS.idMax)
  @IsInt({ message: 'version must be a positive integer' })
  version?: number;
}

export class RestoreProfileDto extends WindowRefDto {
  @ApiProperty()
  @Min(1, { message: 'version must be a positive integer' })
  @Max(LIMITS.idMax)
  @IsInt({ message: 'version must be a positive integer' })
  version: number;
}
