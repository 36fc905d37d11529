import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, Matches, Max, Min, ValidateIf } from 'class-validator';
import { WindowRefDto } from '../../windows/dto/window.dto';

/** A device id as the cloud issues them. */
export const DEVICE_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Left out takes the default; null is no value and is refused by name. */
const LeftOut = () => ValidateIf((_object, value) => value !== undefined);

export const IF_OFFLINE = ['refuse', 'wait'] as const;
export type IfOffline = (typeof IF_OFFLINE)[number];

/** `/device/list`. */
export class DeviceListDto {
  @ApiPropertyOptional({ description: "Only this member's devices (team:manage to name another member)" })
  @LeftOut()
  @IsInt({ message: 'userId must be a whole number' })
  @Min(1, { message: 'userId must be a whole number' })
  @Max(2_147_483_647, { message: 'userId must be a whole number' })
  userId?: number;
}

/** `/browser/open` and `/browser/close` with `device`: the cloud asks that device's agent to do it. */
export class RemoteWindowDto extends WindowRefDto {
  @ApiProperty({ description: 'The device (deviceId in /device/list) whose agent opens or closes the window' })
  @Matches(DEVICE_ID, { message: 'device must be a device id (deviceId in /device/list)' })
  device: string;

  @ApiPropertyOptional({
    enum: IF_OFFLINE,
    default: 'refuse',
    description: 'An offline device: refuse at once (503) or wait up to waitMs for it',
  })
  @LeftOut()
  @IsIn(IF_OFFLINE, { message: `ifOffline must be one of ${IF_OFFLINE.join(', ')}` })
  ifOffline?: IfOffline;

  @ApiPropertyOptional({
    minimum: 1000,
    maximum: 600_000,
    default: 120_000,
    description: "How long to wait for the device's answer, coming online included",
  })
  @LeftOut()
  @IsInt({ message: 'waitMs must be a whole number of milliseconds from 1000 to 600000' })
  @Min(1000, { message: 'waitMs must be a whole number of milliseconds from 1000 to 600000' })
  @Max(600_000, { message: 'waitMs must be a whole number of milliseconds from 1000 to 600000' })
  waitMs?: number;
}
