import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, RequirePermission } from '../access/auth.decorators';
import { IdsDto, ListWindowsDto } from '../windows/dto/window.dto';
import { WindowsService } from '../windows/windows.service';
import { NoFields } from '../common/no-fields.pipe';
import { CloudConfig } from '../config/cloud-config';

@ApiTags('recycle bin')
@Controller('browser/recycle')
export class RecycleController {
  constructor(
    private readonly windows: WindowsService,
    private readonly config: CloudConfig,
  ) {}

  @Post('list')
  @HttpCode(200)
  @RequirePermission('browser:list', 'Windows in the recycle bin, most recently deleted first, and how many days one stays')
  async list(@CurrentAuth() auth: AuthContext, @Body() dto: ListWindowsDto) {
    // retentionDays: a window deleted longer ago than this is deleted for good by the purger.
    return ok({ ...(await this.windows.list(auth, dto, 'recycled')), retentionDays: this.config.env.RECYCLE_RETENTION_DAYS });
  }

  @Post('restore')
  @HttpCode(200)
  @RequirePermission('browser:recycle:restore', 'Bring windows back from the recycle bin')
  async restore(@CurrentAuth() auth: AuthContext, @Body() dto: IdsDto) {
    return ok(await this.windows.restore(auth, dto.ids));
  }

  @Post('delete')
  @HttpCode(200)
  @RequirePermission('browser:delete:permanent', 'Delete windows in the recycle bin for good')
  async delete(@CurrentAuth() auth: AuthContext, @Body() dto: IdsDto) {
    return ok(await this.windows.deletePermanently(auth, dto.ids));
  }

  @Post('clear')
  @HttpCode(200)
  @RequirePermission('browser:delete:permanent', 'Empty the recycle bin')
  async clear(@CurrentAuth() auth: AuthContext, @Body(NoFields) _body: unknown) {
    return ok(await this.windows.clearBin(auth));
  }
}
