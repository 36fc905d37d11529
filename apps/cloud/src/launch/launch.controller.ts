import { Body, Controller, HttpCode, Injectable, PipeTransform, Post } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { createValidationPipe } from '@cos/server-common';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, RequirePermission } from '../access/auth.decorators';
import { DeviceCommands } from '../devices/device-commands';
import { RemoteWindowDto } from '../devices/dto/device.dto';
import { CloseWindowDto, LaunchWindowDto, OpenStatusDto } from './dto/launch.dto';
import { LaunchService } from './launch.service';

/**
 * `/browser/close` is two calls: with `device`, a member asks that device to close the window
 * (a remote close); without, an agent records its own close. The body is checked as the one it is.
 */
@Injectable()
class CloseBody implements PipeTransform {
  private readonly pipe = createValidationPipe();

  transform(value: unknown): Promise<CloseWindowDto | RemoteWindowDto> {
    const remote = typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, 'device');
    return this.pipe.transform(value, { type: 'body', metatype: remote ? RemoteWindowDto : CloseWindowDto }) as Promise<
      CloseWindowDto | RemoteWindowDto
    >;
  }
}

@ApiTags('agent')
@ApiExtraModels(CloseWindowDto, RemoteWindowDto)
@Controller('browser')
export class LaunchController {
  constructor(
    private readonly launches: LaunchService,
    private readonly remote: DeviceCommands,
  ) {}

  @Post('launch')
  @HttpCode(200)
  @RequirePermission('browser:open', "Everything an agent needs to start a window; takes the window's lease for the device")
  async launch(@CurrentAuth() auth: AuthContext, @Body() dto: LaunchWindowDto) {
    return ok(await this.launches.launch(auth, dto));
  }

  @Post('open-status/update')
  @HttpCode(200)
  @RequirePermission('browser:open', "Report opening/opened/closing/closed; any status but closed renews the device's lease")
  async status(@CurrentAuth() auth: AuthContext, @Body() dto: OpenStatusDto) {
    return ok(await this.launches.updateStatus(auth, dto));
  }

  @Post('open')
  @HttpCode(200)
  @RequirePermission(
    'browser:open',
    "Asks a device's agent (your own, or any with team:manage) to open the window and answers with the agent's answer; an offline device is refused or waited for (ifOffline, waitMs)",
  )
  async open(@CurrentAuth() auth: AuthContext, @Body() dto: RemoteWindowDto) {
    return ok(await this.remote.run(auth, 'open', dto));
  }

  @Post('close')
  @HttpCode(200)
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(RemoteWindowDto) }, { $ref: getSchemaPath(CloseWindowDto) }] } })
  @RequirePermission(
    'browser:open',
    "With device: asks that device's agent to close the window (as /browser/open). Without: an agent records its close — cookies (when the window syncs them), the profile zip, status closed",
  )
  async close(@CurrentAuth() auth: AuthContext, @Body(CloseBody) dto: CloseWindowDto | RemoteWindowDto) {
    if (dto instanceof RemoteWindowDto) return ok(await this.remote.run(auth, 'close', dto));
    return ok(await this.launches.close(auth, dto));
  }
}
