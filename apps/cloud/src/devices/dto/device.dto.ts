import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, Matches, Max, Min, registerDecorator, ValidateIf } from 'class-validator';
import { agentPartProblem, UUID } from '@cos/contracts';
import type { DeviceCapacity } from '@cos/contracts';
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

/** A required part of a long-poll body, read by the same allowlist as the WebSocket line's messages. */
function LinePart(type: 'hello' | 'answer'): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'linePart',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => agentPartProblem(type, value, type) === null,
        defaultMessage: (args) => agentPartProblem(type, args?.value, type) ?? 'invalid',
      },
    });
}

/** `/device/line/poll`: the device line for agents behind proxies that drop WebSocket upgrades. */
export class DevicePollDto {
  @ApiProperty({ format: 'uuid', description: "The poller's line: one UUID per run of the agent, the same on every poll" })
  @Matches(UUID, { message: 'line must be a UUID' })
  line: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'version, hostname, platform, capacity {windowsRunning, freeMemoryBytes, totalMemoryBytes}',
  })
  @LinePart('hello')
  hello: { version: string; hostname: string; platform: string; capacity: DeviceCapacity };

  @ApiPropertyOptional({ minimum: 0, maximum: 25_000, default: 20_000, description: 'How long to wait for a command when none is queued' })
  @LeftOut()
  @IsInt({ message: 'waitMs must be a whole number of milliseconds from 0 to 25000' })
  @Min(0, { message: 'waitMs must be a whole number of milliseconds from 0 to 25000' })
  @Max(25_000, { message: 'waitMs must be a whole number of milliseconds from 0 to 25000' })
  waitMs?: number;
}

/** `/device/line/answer`: a polling device's answer to a command it was given. */
export class DeviceAnswerDto {
  @ApiProperty({ format: 'uuid' })
  @Matches(UUID, { message: 'line must be a UUID' })
  line: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'commandId, code, msg, data' })
  @LinePart('answer')
  answer: { commandId: string; code: number; msg: string; data: Record<string, unknown> };
}
