import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { uuidBetween } from '@cos/contracts';
import { IsId } from '../../common/id.decorators';
import { PlainName } from '@cos/server-common';
import { LeftOutOr } from '../../common/left-out.validator';

/** What `AuthService` issues as device ids. */
export const ISSUED_DEVICE = uuidBetween('dev-', '');

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class LoginDto {
  @ApiProperty({ example: 'owner@example.com' })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MaxLength(128)
  password: string;

  @ApiPropertyOptional({
    description:
      "A device the cloud issued to an earlier login of this same user (the agent's, after its session ran out): the new session " +
      'takes it over, with its window leases, and the earlier session ends. Any other device id is ignored and a new one issued',
  })
  @IsOptional()
  @Matches(ISSUED_DEVICE, { message: 'deviceId must be a device id the cloud issued (dev-<uuid>)' })
  deviceId?: string;
}

export class RegisterDto {
  @ApiProperty({ example: 'owner@example.com' })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @PlainName()
  @MaxLength(254)
  email: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @Length(8, 128, { message: 'password must be 8 to 128 characters' })
  password: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  @PlainName()
  name?: string;

  @ApiPropertyOptional({ maxLength: 100, description: 'Name of the team created for the new owner' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @PlainName()
  teamName?: string;
}

// Checked bottom-up, so a value that is no string is told so, not that it is too long.
const REFRESH_TOKEN_LENGTH = MaxLength(200, { message: 'refreshToken must be at most 200 characters' });

export class RefreshDto {
  @ApiProperty()
  @REFRESH_TOKEN_LENGTH
  @IsString()
  refreshToken: string;
}

export class LogoutDto {
  @ApiPropertyOptional({
    description:
      "Ends the caller's session this current refresh token belongs to; the calling session when omitted. Refused with an API token",
  })
  // Left out is the calling session; null is no refresh token, and is refused by name.
  @LeftOutOr()
  @REFRESH_TOKEN_LENGTH
  @IsString()
  refreshToken?: string;
}

export class CreateApiTokenDto {
  @ApiProperty({ maxLength: 100, example: 'nightly export script' })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @PlainName()
  name: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 3650, description: 'Days until the token expires; never when omitted' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;

  @ApiPropertyOptional({
    description:
      'Whether the new token may create tokens itself (false when omitted). A token creates tokens only if it was given this; what it creates expires no later than it does and is revoked with it',
  })
  @IsOptional()
  @IsBoolean({ message: 'mayCreateTokens must be a boolean' })
  mayCreateTokens?: boolean;
}

export class RevokeApiTokenDto {
  @IsId()
  id: number;
}
