import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Allow, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { STEP_TYPES, STEPS_MAX, TIMEOUT_MAX_MS } from '@cos/contracts';
import { IsId, PageDto } from '../../common/id.decorators';
import { PlainName } from '@cos/server-common';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
export const RETRIES_MAX = 5;

/** Class-validator runs a property's checks bottom-up: each type check sits last so it answers first. */
export class TaskFieldsDto {
  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @MaxLength(1000, { message: 'description must be at most 1000 characters' })
  @IsString({ message: 'description must be a string' })
  description?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: TIMEOUT_MAX_MS, default: 30_000, description: "Each step's timeout unless it names its own" })
  @IsOptional()
  @Min(1, { message: `timeoutMs must be 1 to ${TIMEOUT_MAX_MS}` })
  @Max(TIMEOUT_MAX_MS, { message: `timeoutMs must be 1 to ${TIMEOUT_MAX_MS}` })
  @IsInt({ message: 'timeoutMs must be an integer' })
  timeoutMs?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: RETRIES_MAX,
    default: 0,
    description: 'Times a window run lost with its device is run again there',
  })
  @IsOptional()
  @Min(0, { message: `retries must be 0 to ${RETRIES_MAX}` })
  @Max(RETRIES_MAX, { message: `retries must be 0 to ${RETRIES_MAX}` })
  @IsInt({ message: 'retries must be an integer' })
  retries?: number;
}

export class CreateTaskDto extends TaskFieldsDto {
  @ApiProperty({ maxLength: 100 })
  @Transform(trim)
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  @IsString({ message: 'name must be a string' })
  @PlainName()
  name: string;

  @ApiProperty({
    description: `1 to ${STEPS_MAX} steps, each {type: ${STEP_TYPES.join('|')}, ...}; text fields may hold {{variables}}`,
    type: 'array',
    items: { type: 'object' },
  })
  @Allow()
  steps: unknown;
}

export class UpdateTaskDto extends TaskFieldsDto {
  @IsId()
  id: number;

  @ApiPropertyOptional({ description: 'The version this change was made on: a newer one saved meanwhile is 409' })
  @IsOptional()
  @Min(1, { message: 'version must be a positive integer' })
  @IsInt({ message: 'version must be a positive integer' })
  version?: number;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @Transform(trim)
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  @IsString({ message: 'name must be a string' })
  @PlainName()
  name?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } })
  @Allow()
  steps?: unknown;
}

export class TaskIdDto {
  @IsId()
  id: number;
}

export class TaskVersionDto extends TaskIdDto {
  @ApiProperty({ minimum: 1 })
  @Min(1, { message: 'version must be a positive integer' })
  @IsInt({ message: 'version must be a positive integer' })
  version: number;
}

export class ListTasksDto extends PageDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @MaxLength(100, { message: 'keyword must be at most 100 characters' })
  @IsString({ message: 'keyword must be a string' })
  keyword?: string;
}

export class TaskVersionsDto extends PageDto {
  @IsId()
  id: number;
}
