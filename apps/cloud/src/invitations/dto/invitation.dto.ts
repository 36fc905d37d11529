import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsId } from '../../common/id.decorators';
import { MemberAccessDto } from '../../teams/dto/member.dto';
import { PlainName } from '@cos/server-common';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateInvitationDto extends MemberAccessDto {
  @ApiProperty({ description: 'Who is invited; an email that has an account already is refused' })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @PlainName()
  @MaxLength(254)
  email: string;
}

export class RevokeInvitationDto {
  @IsId()
  id: number;
}

/** What the cloud hands out: 32 random bytes, base64url. */
const INVITATION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export class InvitationTokenDto {
  @ApiProperty({ description: 'The token of the invitation link (after `token=`)' })
  // Checked bottom-up, so a value that is no string is told so, not that it is malformed.
  @Matches(INVITATION_TOKEN, { message: "token must be an invitation link's token (43 characters)" })
  @IsString({ message: 'token must be a string' })
  token: string;
}

export class AcceptInvitationDto extends InvitationTokenDto {
  @ApiProperty({ minLength: 8, maxLength: 128, description: "The new member's password" })
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
}
