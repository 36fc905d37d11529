import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  configProblem,
  fingerprintProblem,
  LIMITS,
  OPEN_STATUSES,
  IP_CHECK_SERVICE_NAMES,
  PROXY_METHODS,
  PROXY_TYPES,
  SORT_ORDERS,
  UUID,
  WINDOW_SORT_FIELDS,
} from '@cos/contracts';
import type {
  BrowserFingerprint,
  OpenStatus,
  ProxyMethod,
  ProxyType,
  SortOrder,
  WindowConfig,
  WindowRef,
  WindowSortField,
} from '@cos/contracts';
import { NamesOneWindow, WindowRefOptions, PlainName, ProxyHost } from '@cos/server-common';
import { IsId, IsIdList, PageDto } from '../../common/id.decorators';
import { IsCheckedObject } from '../../common/json-object.validator';
import { LeftOutOr } from '../../common/left-out.validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const toNumber = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value);
const HTTP_URL = /^(https?:\/\/\S+)?$/;

/**
 * `id` / `browserId` / `uuid`: the seed's aliases for one window, each checked as a field and then
 * together by `NamesOneWindow`, which keeps the window they name as the DTO's `windowRef`. Made by
 * a function so that each call states when it may name no window: the rule has to sit on the class
 * that holds the fields for their answers to come first.
 */
function windowRefFields<T extends object>(options?: WindowRefOptions<T>) {
  @NamesOneWindow<T>(options)
  class WindowRefFields {
    // IsId checks that it is an integer before its size: "0x1" is no number, not a large one.
    @IsId({ optional: true, description: 'Numeric window id' })
    id?: number;

    @IsId({ optional: true, description: 'Alias of id' })
    browserId?: number;

    @ApiPropertyOptional({ format: 'uuid', description: 'Window UUID, recommended' })
    @IsOptional()
    @Matches(UUID, { message: 'uuid must be a window UUID' })
    uuid?: string;
  }
  return WindowRefFields;
}

/** A call on one window: `id`, `browserId` or `uuid` name exactly one, kept as `windowRef`. */
export class WindowRefDto extends windowRefFields() {
  declare readonly windowRef: WindowRef;
}

/** Proxy fields of the seed, shared by create/edit and `/browser/proxy/update`. */
export class ProxyFieldsDto {
  @ApiPropertyOptional({ enum: PROXY_METHODS, description: '2 custom, 3 API extraction, 4 saved proxy' })
  @IsOptional()
  @Transform(toNumber)
  @IsIn(PROXY_METHODS, { message: 'proxyMethod must be 2, 3 or 4' })
  proxyMethod?: ProxyMethod;

  @ApiPropertyOptional({ enum: PROXY_TYPES })
  @IsOptional()
  @IsIn(PROXY_TYPES, { message: `proxyType must be one of ${PROXY_TYPES.join(', ')}` })
  proxyType?: ProxyType;

  @ApiPropertyOptional({ maxLength: LIMITS.hostMax })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(LIMITS.hostMax)
  @ProxyHost({ allowEmpty: true })
  host?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 65535 })
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'port must be an integer from 1 to 65535' })
  @Min(1, { message: 'port must be an integer from 1 to 65535' })
  @Max(65535, { message: 'port must be an integer from 1 to 65535' })
  port?: number;

  @ApiPropertyOptional({ maxLength: LIMITS.credentialMax })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.credentialMax)
  proxyUserName?: string;

  @ApiPropertyOptional({
    maxLength: LIMITS.secretMax,
    description: 'Stored encrypted; never returned by list/detail. For ssh it may hold a private key (PEM / OpenSSH)',
  })
  // Left out keeps the stored password; null is not a password (and is refused by name).
  @LeftOutOr()
  @MaxLength(LIMITS.secretMax)
  @IsString({ message: 'proxyPassword must be a string' })
  proxyPassword?: string;

  @ApiPropertyOptional({ maxLength: LIMITS.urlMax })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.urlMax)
  @Matches(HTTP_URL, { message: 'dynamicIpUrl must be an http(s) URL' })
  dynamicIpUrl?: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  dynamicIpChannel?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  isDynamicIpChangeIp?: boolean;

  @ApiPropertyOptional({ maxLength: LIMITS.urlMax })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.urlMax)
  @Matches(HTTP_URL, { message: 'refreshProxyUrl must be an http(s) URL' })
  refreshProxyUrl?: string;

  @ApiPropertyOptional({ enum: IP_CHECK_SERVICE_NAMES, example: 'ip-api', description: 'Finds the exit IP, country and timezone at open' })
  @IsOptional()
  @IsIn(IP_CHECK_SERVICE_NAMES, { message: `ipCheckService must be one of ${IP_CHECK_SERVICE_NAMES.filter(Boolean).join(', ')} or empty` })
  ipCheckService?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enableSocks5Udp?: boolean;

  @IsId({ optional: true, description: 'Saved team proxy (see /proxy/*) for proxyMethod 4' })
  proxyId?: number;
}

/** `/browser/update`: without id/browserId/uuid it creates a window, with one (`windowRef`) it edits it. */
export class UpdateWindowDto extends IntersectionType(ProxyFieldsDto, windowRefFields({ optional: () => true })) {
  /** Unset for a create. */
  declare readonly windowRef?: WindowRef;

  @ApiPropertyOptional({ maxLength: LIMITS.nameMax, description: 'Generated when omitted on create' })
  @LeftOutOr()
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @Length(1, LIMITS.nameMax, { message: `name must be 1 to ${LIMITS.nameMax} characters` })
  @PlainName()
  name?: string;

  @IsId({ optional: true, allowZero: true, description: '0 or omitted: ungrouped' })
  groupId?: number;

  @IsIdList({ optional: true, allowEmpty: true, description: "Replaces the window's tags" })
  tagIds?: number[];

  @ApiPropertyOptional({ maxLength: LIMITS.remarkMax })
  @LeftOutOr()
  @IsString({ message: 'remark must be a string' })
  @MaxLength(LIMITS.remarkMax, { message: `remark must be at most ${LIMITS.remarkMax} characters` })
  remark?: string;

  @IsCheckedObject(
    fingerprintProblem,
    'Fingerprint: coreVersion, ostype, os, userAgent, platform, languages, timezone, resolution, hardwareConcurrency, webrtc, doNotTrack; other keys kept',
  )
  browserFingerPrint?: BrowserFingerprint;

  @IsCheckedObject(configProblem, 'Window configuration, including the sync settings (syncCookies, ...); other keys kept')
  config?: WindowConfig;
}

export class PartialUpdateDto {
  @IsIdList({ description: 'Windows to change (1 to 1,000)' })
  ids: number[];

  @ApiPropertyOptional({ maxLength: LIMITS.nameMax })
  @LeftOutOr()
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @Length(1, LIMITS.nameMax, { message: `name must be 1 to ${LIMITS.nameMax} characters` })
  @PlainName()
  name?: string;

  @IsId({ optional: true, allowZero: true, description: '0: ungrouped' })
  groupId?: number;

  @ApiPropertyOptional({ maxLength: LIMITS.remarkMax })
  @LeftOutOr()
  @IsString({ message: 'remark must be a string' })
  @MaxLength(LIMITS.remarkMax, { message: `remark must be at most ${LIMITS.remarkMax} characters` })
  remark?: string;

  @IsIdList({ optional: true, allowEmpty: true, description: "Replaces the windows' tags" })
  tagIds?: number[];

  @IsIdList({ optional: true, description: 'Tags put on every window named, the tags each has kept (not with tagIds)' })
  addTagIds?: number[];

  @IsIdList({ optional: true, description: 'Tags taken off every window named, the others kept (not with tagIds)' })
  removeTagIds?: number[];

  @IsCheckedObject(fingerprintProblem, 'Fingerprint fields to set; others are kept')
  browserFingerPrint?: BrowserFingerprint;

  @IsCheckedObject(configProblem, 'Configuration fields to set; others are kept')
  config?: WindowConfig;
}

export class IdsDto {
  @IsIdList({ description: '1 to 1,000 window ids' })
  ids: number[];
}

export class GroupUpdateDto extends IdsDto {
  @IsId({ allowZero: true, description: 'Target group; 0 for ungrouped' })
  groupId: number;
}

export class RemarkUpdateDto extends IdsDto {
  @ApiProperty({ maxLength: LIMITS.remarkMax })
  @IsString()
  @MaxLength(LIMITS.remarkMax, { message: `remark must be at most ${LIMITS.remarkMax} characters` })
  remark: string;
}

export class ProxyUpdateDto extends OmitType(ProxyFieldsDto, ['proxyMethod'] as const) {
  @IsIdList({ description: '1 to 1,000 window ids' })
  ids: number[];

  @ApiProperty({ enum: PROXY_METHODS })
  @Transform(toNumber)
  @IsIn(PROXY_METHODS, { message: 'proxyMethod must be 2, 3 or 4' })
  proxyMethod: ProxyMethod;
}

/** `/browser/delete`: one window by reference (`windowRef`), or several by `ids`. */
export class DeleteWindowsDto extends windowRefFields<{ ids?: number[] }>({ optional: (dto) => dto.ids !== undefined }) {
  @IsIdList({ optional: true, description: 'Several windows at once' })
  ids?: number[];

  /** Unset when `ids` names the windows. */
  declare readonly windowRef?: WindowRef;
}

export class ListWindowsDto extends PageDto {
  @IsId({ optional: true, allowZero: true, description: '0: ungrouped windows' })
  groupId?: number;

  @ApiPropertyOptional({ maxLength: LIMITS.nameMax, description: 'Matches name or remark' })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.nameMax)
  keyword?: string;

  @ApiPropertyOptional({ maxLength: LIMITS.nameMax })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.nameMax)
  name?: string;

  @ApiPropertyOptional({ maxLength: LIMITS.remarkMax })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.remarkMax)
  remark?: string;

  @IsIdList({ optional: true, description: 'Windows having any of these tags' })
  tagIds?: number[];

  @ApiPropertyOptional({ enum: OPEN_STATUSES })
  @IsOptional()
  @IsIn(OPEN_STATUSES, { message: `openStatus must be one of ${OPEN_STATUSES.join(', ')}` })
  openStatus?: OpenStatus;

  @ApiPropertyOptional({ enum: WINDOW_SORT_FIELDS, description: 'Order of the list; newest first when unset' })
  @IsOptional()
  @IsIn(WINDOW_SORT_FIELDS, { message: `sortBy must be one of ${WINDOW_SORT_FIELDS.join(', ')}` })
  sortBy?: WindowSortField;

  @ApiPropertyOptional({ enum: SORT_ORDERS, default: 'desc' })
  @IsOptional()
  @IsIn(SORT_ORDERS, { message: `sortOrder must be one of ${SORT_ORDERS.join(', ')}` })
  sortOrder?: SortOrder;
}
