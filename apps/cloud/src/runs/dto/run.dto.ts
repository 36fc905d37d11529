import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  Allow,
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { Transform } from 'class-transformer';
import { SHA256_HEX, STEPS_MAX } from '@cos/contracts';
import { IsId, IsIdList, PageDto } from '../../common/id.decorators';

export const RUN_DEVICES_MAX = 20;
export const CONCURRENCY_MAX = 50;
export const VARIABLES_MAX = 50;
export const VARIABLE_VALUE_MAX = 10_000;

export class StartRunDto {
  @IsId({ description: 'The task to run (its current version)' })
  taskId: number;

  @IsIdList({ optional: true, description: 'The windows: these ids…' })
  windowIds?: number[];

  @IsId({ optional: true, allowZero: true, description: '…or the windows of this group (0: ungrouped)…' })
  groupId?: number;

  @IsId({ optional: true, description: '…or the windows with this tag' })
  tagId?: number;

  @ApiProperty({
    type: [String],
    maxItems: RUN_DEVICES_MAX,
    description: 'Devices that may run it (from /device/list): yours, or any with team:manage',
  })
  @IsArray({ message: 'devices must be an array of device ids' })
  @ArrayNotEmpty({ message: 'devices must name at least one device' })
  @ArrayMaxSize(RUN_DEVICES_MAX, { message: `devices takes at most ${RUN_DEVICES_MAX} devices` })
  @IsString({ each: true, message: 'devices must be device ids' })
  @Length(1, 100, { each: true, message: 'devices must be device ids' })
  devices: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: CONCURRENCY_MAX, default: 1, description: 'Windows of this run going on at once' })
  @IsOptional()
  @Min(1, { message: `concurrency must be 1 to ${CONCURRENCY_MAX}` })
  @Max(CONCURRENCY_MAX, { message: `concurrency must be 1 to ${CONCURRENCY_MAX}` })
  @IsInt({ message: 'concurrency must be an integer' })
  concurrency?: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Values of {{variables}}, kept with the run',
  })
  @Allow()
  variables?: unknown;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Values of {{variables}} kept sealed and never answered (passwords, keys)',
  })
  @Allow()
  secrets?: unknown;

  @ApiPropertyOptional({ maxLength: 100, description: 'The same key again answers the run it started instead of starting another' })
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,100}$/, { message: 'idempotencyKey must be 1 to 100 printable characters without spaces' })
  @IsString({ message: 'idempotencyKey must be a string' })
  idempotencyKey?: string;
}

export class RunIdDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a run id (a UUID)' })
  @IsString({ message: 'id must be a run id (a UUID)' })
  id: string;
}

export class ListRunsDto extends PageDto {}

export class ShotIdDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a screenshot id (a UUID)' })
  @IsString({ message: 'id must be a screenshot id (a UUID)' })
  id: string;
}

export class ShotUploadDto {
  @ApiProperty({ format: 'uuid', description: 'The run command this device was sent and has not answered yet' })
  @IsUUID('all', { message: 'commandId must be a command id (a UUID)' })
  @IsString({ message: 'commandId must be a command id (a UUID)' })
  commandId: string;

  @ApiProperty({ description: "The PNG's sha256, checked as it arrives" })
  @Matches(SHA256_HEX, { message: 'sha256 must be 64 lower-case hex digits' })
  @IsString({ message: 'sha256 must be 64 lower-case hex digits' })
  sha256: string;

  @ApiPropertyOptional({ minimum: 0, maximum: STEPS_MAX - 1, description: 'The step it was taken at' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : value))
  @Min(0, { message: `step must be 0 to ${STEPS_MAX - 1}` })
  @Max(STEPS_MAX - 1, { message: `step must be 0 to ${STEPS_MAX - 1}` })
  @IsInt({ message: `step must be 0 to ${STEPS_MAX - 1}` })
  step?: number;
}
