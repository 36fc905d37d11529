import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { COOKIE_SAME_SITE, COOKIES_MAX, OPEN_STATUSES, UUID, uuidBetween } from '@cos/contracts';
import type { CookieSameSite, OpenStatus } from '@cos/contracts';
import { WindowRefDto } from '../../windows/dto/window.dto';

export const DEVICE = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Older agents name their device in `deviceId`. The cloud no longer takes a client's word for it:
 * the lease and the commit carry the device issued to the caller's session or API token.
 */
const IgnoredDeviceId = () =>
  applyDecorators(
    ApiPropertyOptional({
      deprecated: true,
      description: "Not read: the device is the one the cloud issued to the caller's session or API token (deviceId in /auth/me)",
      maxLength: 100,
    }),
    IsOptional(),
    IsString(),
    Matches(DEVICE, { message: 'deviceId must be 1 to 100 letters, digits, dots, dashes, colons or underscores' }),
  );

export class DeviceWindowDto {
  @ApiProperty({ format: 'uuid' })
  @Matches(UUID, { message: 'uuid must be a window UUID' })
  uuid: string;

  @IgnoredDeviceId()
  deviceId?: string;
}

/** `/browser/launch`: the window by `uuid` (recommended), `id` or `browserId`. */
export class LaunchWindowDto extends WindowRefDto {
  @IgnoredDeviceId()
  deviceId?: string;
}

export class OpenStatusDto extends DeviceWindowDto {
  @ApiProperty({ enum: OPEN_STATUSES })
  @IsIn(OPEN_STATUSES, { message: `status must be one of ${OPEN_STATUSES.join(', ')}` })
  status: OpenStatus;

  @ApiPropertyOptional({ description: 'Firefox process id on the device' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4_194_304)
  pid?: number;
}

export class CookieDto {
  @ApiProperty()
  @IsString()
  @MaxLength(4096)
  name: string;

  @ApiProperty()
  @IsString()
  @MaxLength(16384)
  value: string;

  @ApiProperty()
  @IsString()
  @MaxLength(255)
  domain: string;

  @ApiProperty()
  @IsString()
  @MaxLength(4096)
  path: string;

  @ApiProperty()
  @IsBoolean()
  secure: boolean;

  @ApiProperty()
  @IsBoolean()
  httpOnly: boolean;

  @ApiProperty({ enum: COOKIE_SAME_SITE })
  @IsIn(COOKIE_SAME_SITE, { message: `sameSite must be one of ${COOKIE_SAME_SITE.join(', ')}` })
  sameSite: CookieSameSite;

  @ApiPropertyOptional({ description: 'Seconds since the epoch; absent for a session cookie' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(253402300799)
  expiry?: number;
}

export class ProfileZipDto {
  @ApiProperty()
  @Matches(uuidBetween('', '\\.zip', 'i'), { message: 'profile.zipName must be <uuid>.zip' })
  zipName: string;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  zipSize: number;

  @ApiProperty()
  @Matches(/^[0-9a-f]{64}$/, { message: 'profile.sha256 must be 64 hex digits' })
  sha256: string;
}

/** The window's cookie epoch when the cookies sent were read from a browser opened in it (see `LaunchPayload.cookiesEpoch`). */
export function CookiesEpochField(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description: "The launch's cookiesEpoch: cookies of an older epoch (replaced meanwhile) are not stored" }),
    IsOptional(),
    Min(0, { message: 'cookiesEpoch must be a whole number from 0' }),
    Max(2_147_483_647, { message: 'cookiesEpoch must be a whole number from 0' }),
    IsInt({ message: 'cookiesEpoch must be a whole number from 0' }),
  );
}

export class CloseWindowDto extends DeviceWindowDto {
  @CookiesEpochField()
  cookiesEpoch?: number;

  @ApiPropertyOptional({ type: [CookieDto], description: "The browser's cookies; stored when the window syncs cookies" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(COOKIES_MAX)
  @ValidateNested({ each: true })
  @Type(() => CookieDto)
  cookies?: CookieDto[];

  @ApiPropertyOptional({ type: ProfileZipDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProfileZipDto)
  profile?: ProfileZipDto;
}
