import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsId } from '../../common/id.decorators';
import { WEBHOOK_EVENTS } from '../webhook-outbox';

export class CreateWebhookDto {
  @ApiProperty({ maxLength: 2048, example: 'https://hooks.example.com/cos' })
  @MaxLength(2048, { message: 'url must be at most 2048 characters' })
  @IsString({ message: 'url must be a string' })
  url: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENTS, isArray: true, default: ['run.finished'] })
  @IsOptional()
  @IsArray({ message: 'events must be an array' })
  @ArrayNotEmpty({ message: 'events must name at least one event' })
  @ArrayMaxSize(WEBHOOK_EVENTS.length, { message: 'events names an event twice' })
  @IsIn(WEBHOOK_EVENTS, { each: true, message: `events must be of ${WEBHOOK_EVENTS.join(', ')}` })
  events?: string[];
}

export class UpdateWebhookDto extends CreateWebhookDto {
  @IsId()
  id: number;

  @ApiPropertyOptional({ maxLength: 2048 })
  @IsOptional()
  @MaxLength(2048, { message: 'url must be at most 2048 characters' })
  @IsString({ message: 'url must be a string' })
  declare url: string;

  @ApiPropertyOptional({ description: 'false stops deliveries; true starts them again (and clears why it was disabled)' })
  @IsOptional()
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;
}

export class WebhookIdDto {
  @IsId()
  id: number;
}

export class RotateWebhookDto extends WebhookIdDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 604_800,
    default: 86_400,
    description: 'How long the old secret still signs beside the new one',
  })
  @IsOptional()
  @Min(0, { message: 'keepSeconds must be 0 to 604800' })
  @Max(604_800, { message: 'keepSeconds must be 0 to 604800' })
  @IsInt({ message: 'keepSeconds must be an integer' })
  keepSeconds?: number;
}

export class DeliveriesDto extends WebhookIdDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Min(1, { message: 'pageSize must be 1 to 100' })
  @Max(100, { message: 'pageSize must be 1 to 100' })
  @IsInt({ message: 'pageSize must be an integer' })
  pageSize?: number;
}

export class WebhookSettingsDto {
  @ApiProperty({ description: 'Deliver to loopback, private, link-local, CGNAT and ULA addresses (off by default)' })
  @IsBoolean({ message: 'allowPrivateAddresses must be true or false' })
  allowPrivateAddresses: boolean;
}
