import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError, ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, DocumentSignedIn } from '../access/auth.decorators';
import { CloudConfig } from '../config/cloud-config';
import { DeviceStore } from './device-store';
import { DeviceListDto } from './dto/device.dto';

@ApiTags('devices')
@Controller('device')
export class DevicesController {
  constructor(
    private readonly devices: DeviceStore,
    private readonly config: CloudConfig,
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
}
