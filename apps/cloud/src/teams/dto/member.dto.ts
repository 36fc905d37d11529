import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { ALL_PERMISSIONS, ROLES, SCOPES } from '@cos/contracts';
import type { Permission, Role, WindowScope } from '@cos/contracts';
import { IsId, IsIdList } from '../../common/id.decorators';
import { PlainName } from '@cos/server-common';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class MemberAccessDto {
  @ApiPropertyOptional({ enum: ROLES, default: 'member' })
  @IsOptional()
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role?: Role;

  @ApiPropertyOptional({ enum: ALL_PERMISSIONS, isArray: true })
  @IsOptional()
  @ArrayMaxSize(ALL_PERMISSIONS.length * 2)
  @IsIn(ALL_PERMISSIONS, {
    each: true,
    message: ({ value }) =>
      `permissions has an unknown permission: ${JSON.stringify((value as unknown[]).find((v) => !ALL_PERMISSIONS.includes(v as Permission)))}`,
  })
  // Checked first (decorators apply bottom-up): anything but an array is named as such.
  @IsArray({ message: 'permissions must be an array of permissions' })
  permissions?: Permission[];

  @ApiPropertyOptional({ enum: SCOPES, default: 'all', description: '"groups": only windows in groupIds' })
  @IsOptional()
  @IsIn(SCOPES, { message: `scope must be one of ${SCOPES.join(', ')}` })
  scope?: WindowScope;

  @IsIdList({ optional: true, allowEmpty: true, description: 'Groups a member with scope "groups" may see' })
  groupIds?: number[];
}

export class AddMemberDto extends MemberAccessDto {
  @ApiProperty()
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @PlainName()
  @MaxLength(254)
  email: string;

  @ApiProperty({ minLength: 8, maxLength: 128, description: 'Initial password' })
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

export class UpdateMemberDto extends MemberAccessDto {
  @IsId()
  userId: number;
}

export class RemoveMemberDto {
  @IsId()
  userId: number;
}
