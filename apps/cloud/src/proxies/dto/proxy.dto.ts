import { ApiProperty, ApiPropertyOptional, IntersectionType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { IP_CHECK_SERVICE_NAMES, LIMITS, SAVED_PROXY_TYPES } from '@cos/contracts';
import type { SavedProxyType } from '@cos/contracts';
import { IsId, PageDto } from '../../common/id.decorators';
import { PlainName, ProxyHost } from '@cos/server-common';
import { LeftOutOr } from '../../common/left-out.validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const toNumber = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value);
const PORT_MESSAGE = 'port must be an integer from 1 to 65535';
const TYPE_MESSAGE = `proxyType must be one of ${SAVED_PROXY_TYPES.join(', ')}`;

export class AddProxyDto {
  @ApiProperty({ maxLength: LIMITS.nameMax })
  @Transform(trim)
  @IsString()
  @Length(1, LIMITS.nameMax, { message: `name must be 1 to ${LIMITS.nameMax} characters` })
  @PlainName()
  name: string;

  @ApiProperty({ enum: SAVED_PROXY_TYPES })
  @IsIn(SAVED_PROXY_TYPES, { message: TYPE_MESSAGE })
  proxyType: SavedProxyType;

  @ApiProperty({ maxLength: LIMITS.hostMax })
  @Transform(trim)
  @IsString()
  @Length(1, LIMITS.hostMax, { message: 'host is required' })
  @ProxyHost()
  host: string;

  @ApiProperty({ minimum: 1, maximum: 65535 })
  @Transform(toNumber)
  @IsInt({ message: PORT_MESSAGE })
  @Min(1, { message: PORT_MESSAGE })
  @Max(65535, { message: PORT_MESSAGE })
  port: number;

  @ApiPropertyOptional({ maxLength: LIMITS.credentialMax })
  @LeftOutOr()
  @MaxLength(LIMITS.credentialMax)
  @IsString({ message: 'proxyUserName must be a string' })
  @PlainName()
  proxyUserName?: string;

  @ApiPropertyOptional({ maxLength: LIMITS.secretMax, description: 'Stored encrypted, never returned. For ssh it may hold a private key' })
  @LeftOutOr()
  @MaxLength(LIMITS.secretMax)
  @IsString({ message: 'proxyPassword must be a string' })
  proxyPassword?: string;

  @ApiPropertyOptional({ maxLength: LIMITS.remarkMax })
  @LeftOutOr()
  @MaxLength(LIMITS.remarkMax, { message: `remark must be at most ${LIMITS.remarkMax} characters` })
  @IsString({ message: 'remark must be a string' })
  remark?: string;
}

export class ProxyIdDto {
  @IsId()
  id: number;
}

/** Fields sent replace the saved ones; `proxyPassword: ""` removes the password, omitted keeps it; null is refused. */
export class UpdateProxyDto extends IntersectionType(ProxyIdDto, PartialType(AddProxyDto, { skipNullProperties: false })) {}

export class CheckProxyDto extends ProxyIdDto {
  @ApiPropertyOptional({ enum: IP_CHECK_SERVICE_NAMES, description: 'Lookup service; ip-api when empty' })
  @IsOptional()
  @IsIn(IP_CHECK_SERVICE_NAMES, { message: `ipCheckService must be one of ${IP_CHECK_SERVICE_NAMES.filter(Boolean).join(', ')} or empty` })
  ipCheckService?: string;
}

export class ListProxiesDto extends PageDto {
  @ApiPropertyOptional({ maxLength: LIMITS.nameMax, description: 'Matches name, host or remark' })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.nameMax)
  keyword?: string;

  @ApiPropertyOptional({ enum: SAVED_PROXY_TYPES })
  @IsOptional()
  @IsIn(SAVED_PROXY_TYPES, { message: TYPE_MESSAGE })
  proxyType?: SavedProxyType;
}
