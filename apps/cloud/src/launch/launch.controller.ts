import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, RequirePermission } from '../access/auth.decorators';
import { CloseWindowDto, LaunchWindowDto, OpenStatusDto } from './dto/launch.dto';
import { LaunchService } from './launch.service';

@ApiTags('agent')
@Controller('browser')
export class LaunchController {
  constructor(private readonly launches: LaunchService) {}

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

  @Post('close')
  @HttpCode(200)
  @RequirePermission('browser:open', 'Record a close: cookies (when the window syncs them), the profile zip, status closed')
  async close(@CurrentAuth() auth: AuthContext, @Body() dto: CloseWindowDto) {
    return ok(await this.launches.close(auth, dto));
  }
}
