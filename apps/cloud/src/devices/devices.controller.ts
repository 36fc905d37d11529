import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError, ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, DocumentSignedIn } from '../access/auth.decorators';
import { CloudConfig } from '../config/cloud-config';
import { DeviceStore } from './device-store';
import { DevicePolls } from './device-polls';
import { DeviceAnswerDto, DeviceListDto, DevicePollDto } from './dto/device.dto';

@ApiTags('devices')
@Controller('device')
export class DevicesController {
  constructor(
    private readonly devices: DeviceStore,
    private readonly config: CloudConfig,
    private readonly polls: DevicePolls,
  ) {}

  /** A member sees their own devices; team:manage sees every member's (or one member's, by userId). */
  @Post('list')
  @HttpCode(200)
  @DocumentSignedIn("The team's devices with agents signed in: online, version, capacity (a member's own; team:manage all)")
  async list(@CurrentAuth() auth: AuthContext, @Body() dto: DeviceListDto) {
    const manager = auth.holds('team:manage');
    if (!manager && dto.userId !== undefined && dto.userId !== auth.userId) throw new NotFoundError(`Member ${dto.userId} not found`);
    const userId = manager ? (dto.userId ?? null) : auth.userId;
    const list = await this.devices.list(auth.teamId, userId, this.config.env.DEVICE_OFFLINE_SECONDS);
    return ok({ list, total: list.length, offlineAfterSeconds: this.config.env.DEVICE_OFFLINE_SECONDS });
  }

  @Post('line/poll')
  @HttpCode(200)
  @DocumentSignedIn(
    "The device line as long-polls (for proxies that drop WebSocket upgrades): the caller's device is online while it polls; answers the commands queued for it, or waits up to waitMs for one",
  )
  async poll(@CurrentAuth() auth: AuthContext, @Body() dto: DevicePollDto, @Req() request: Request) {
    return ok(await this.polls.poll(auth, dto, request));
  }

  @Post('line/answer')
  @HttpCode(200)
  @DocumentSignedIn("A polling device's answer to a command it was given on its line; recorded once, only from that device and line")
  async answer(@CurrentAuth() auth: AuthContext, @Body() dto: DeviceAnswerDto) {
    return ok(await this.polls.answer(auth, dto));
  }
}
