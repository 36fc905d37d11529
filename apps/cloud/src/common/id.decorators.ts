import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsInt, IsOptional, Max, Min } from 'class-validator';
import { LIMITS, parseId } from '@cos/contracts';
import { LeftOutOr } from './left-out.validator';

const toId = ({ value }: { value: unknown }) => (typeof value === 'string' ? (parseId(value) ?? value) : value);
const toIds = ({ value }: { value: unknown }): unknown =>
  Array.isArray(value) ? [...new Set((value as unknown[]).map((v) => (typeof v === 'string' ? (parseId(v) ?? v) : v)))] : value;

/** A positive integer id, given as a number or a string of digits. */
export function IsId(options: { optional?: boolean; allowZero?: boolean; description?: string } = {}) {
  const doc: ApiPropertyOptions = { type: 'integer', description: options.description, minimum: options.allowZero ? 0 : 1 };
  return applyDecorators(
    ...(options.optional ? [IsOptional(), ApiPropertyOptional(doc)] : [ApiProperty(doc)]),
    Transform(options.allowZero ? ({ value }) => (value === '0' ? 0 : toId({ value })) : toId),
    IsInt({ message: ({ property }) => `${property} must be a positive integer` }),
    Min(options.allowZero ? 0 : 1, { message: ({ property }) => `${property} must be a positive integer` }),
    Max(LIMITS.idMax, { message: ({ property }) => `${property} is too large` }),
  );
}

/** 1 to 1,000 ids, numbers or strings of digits; duplicates are folded. */
export function IsIdList(options: { optional?: boolean; allowEmpty?: boolean; description?: string } = {}) {
  const doc: ApiPropertyOptions = { type: 'integer', isArray: true, maxItems: LIMITS.idsMax, description: options.description };
  return applyDecorators(
    // Optional means it may be left out; a null list is no list, and is refused by name.
    ...(options.optional ? [LeftOutOr(), ApiPropertyOptional(doc)] : [ApiProperty(doc)]),
    Transform(toIds),
    IsArray({ message: ({ property }) => `${property} must be an array of ids` }),
    ...(options.allowEmpty ? [] : [ArrayNotEmpty({ message: ({ property }) => `${property} must not be empty` })]),
    ArrayMaxSize(LIMITS.idsMax, { message: ({ property }) => `${property} takes at most ${LIMITS.idsMax} ids` }),
    IsInt({ each: true, message: ({ property }) => `${property} must contain only positive integers` }),
    Min(1, { each: true, message: ({ property }) => `${property} must contain only positive integers` }),
    Max(LIMITS.idMax, { each: true, message: ({ property }) => `${property} has an id that is too large` }),
  );
}

export class PageDto {
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'Page number, from 0' })
  @IsOptional()
  @Transform(toId)
  @IsInt({ message: 'page must be a non-negative integer' })
  @Min(0, { message: 'page must be a non-negative integer' })
  @Max(10_000_000)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: LIMITS.pageSizeMax, default: LIMITS.pageSizeDefault })
  @IsOptional()
  @Transform(toId)
  @IsInt({ message: 'pageSize must be an integer' })
  @Min(1, { message: `pageSize must be 1 to ${LIMITS.pageSizeMax}` })
  @Max(LIMITS.pageSizeMax, { message: `pageSize must be 1 to ${LIMITS.pageSizeMax}` })
  pageSize?: number;
}

export function pageOf(dto: PageDto): { page: number; pageSize: number; offset: number } {
  const page = dto.page ?? 0;
  const pageSize = dto.pageSize ?? LIMITS.pageSizeDefault;
  return { page, pageSize, offset: page * pageSize };
}
