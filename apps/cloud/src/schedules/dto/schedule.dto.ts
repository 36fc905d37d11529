import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsId, PageDto } from '../../common/id.decorators';
import { StartRunDto } from '../../runs/dto/run.dto';

/** A schedule: the run it starts at each tick (as /run/start takes it), a cron pattern and its time zone. */
export class SetScheduleDto extends OmitType(StartRunDto, ['idempotencyKey'] as const) {
  @IsId({ optional: true, description: 'The schedule to change; a new one when left out' })
  id?: number;

  @ApiProperty({ example: '0 9 * * 1-5', description: 'Five fields: minute hour day-of-month month day-of-week' })
  @MaxLength(100, { message: 'cron must be at most 100 characters' })
  @IsString({ message: 'cron must be a string' })
  cron: string;

  @ApiProperty({ example: 'Europe/Berlin', description: 'An IANA time zone the pattern is read in' })
  @MaxLength(64, { message: 'timezone must be at most 64 characters' })
  @IsString({ message: 'timezone must be a string' })
  timezone: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;
}

export class ScheduleIdDto {
  @IsId()
  id: number;
}

export class ListSchedulesDto extends PageDto {}
