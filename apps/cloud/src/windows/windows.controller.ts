import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, RequirePermission } from '../access/auth.decorators';
import {
  DeleteWindowsDto,
  GroupUpdateDto,
  IdsDto,
  ListWindowsDto,
  PartialUpdateDto,
  ProxyUpdateDto,
  RemarkUpdateDto,
  UpdateWindowDto,
  WindowRefDto,
} from './dto/window.dto';
import { hasRef } from './window-access';
import { WindowsService } from './windows.service';

const SINGLE_OR_BATCH = { single: 'browser:update:single', batch: 'browser:update:batch' } as const;

@ApiTags('browser')
@Controller('browser')
export class WindowsController {
  constructor(private readonly windows: WindowsService) {}

  @Post('update')
  @HttpCode(200)
  @RequirePermission(
    (body) => (hasRef(body) ? 'browser:update:single' : 'browser:create:single'),
    'Create a window (no id/browserId/uuid: browser:create:single) or edit one (browser:update:single)',
  )
  async update(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateWindowDto) {
    return ok(await this.windows.createOrEdit(auth, dto));
  }

  @Post('update/partial')
  @HttpCode(200)
  @RequirePermission(SINGLE_OR_BATCH, 'Change only the fields sent, on 1 to 1,000 windows, all or nothing')
  async partial(@CurrentAuth() auth: AuthContext, @Body() dto: PartialUpdateDto) {
    const { ids, ...patch } = dto;
    return ok(await this.windows.patch(auth, ids, patch));
  }

  @Post('detail')
  @HttpCode(200)
  @RequirePermission('browser:list', 'One window by id, browserId or uuid')
  async detail(@CurrentAuth() auth: AuthContext, @Body() dto: WindowRefDto) {
    return ok(await this.windows.detail(auth, dto.windowRef));
  }

  @Post('list')
  @HttpCode(200)
  @RequirePermission('browser:list', 'Windows page by page, newest first, with filters')
  async list(@CurrentAuth() auth: AuthContext, @Body() dto: ListWindowsDto) {
    return ok(await this.windows.list(auth, dto));
  }

  @Post('delete')
  @HttpCode(200)
  @RequirePermission('browser:delete:recycle', 'Move one window (id/browserId/uuid) or several (ids) to the recycle bin')
  async delete(@CurrentAuth() auth: AuthContext, @Body() dto: DeleteWindowsDto) {
    return ok(await this.windows.recycle(auth, dto));
  }

  @Post('delete/ids')
  @HttpCode(200)
  @RequirePermission('browser:delete:recycle', 'Move windows to the recycle bin')
  async deleteIds(@CurrentAuth() auth: AuthContext, @Body() dto: IdsDto) {
    return ok(await this.windows.recycle(auth, dto));
  }

  @Post('group/update')
  @HttpCode(200)
  @RequirePermission(SINGLE_OR_BATCH, 'Move windows to a group (0: ungrouped)')
  async group(@CurrentAuth() auth: AuthContext, @Body() dto: GroupUpdateDto) {
    return ok(await this.windows.patch(auth, dto.ids, { groupId: dto.groupId }));
  }

  @Post('remark/update')
  @HttpCode(200)
  @RequirePermission(SINGLE_OR_BATCH, 'Set the remark of windows')
  async remark(@CurrentAuth() auth: AuthContext, @Body() dto: RemarkUpdateDto) {
    return ok(await this.windows.patch(auth, dto.ids, { remark: dto.remark }));
  }

  @Post('proxy/update')
  @HttpCode(200)
  @RequirePermission(SINGLE_OR_BATCH, 'Set the same proxy configuration on windows; fields left out take their defaults')
  async proxy(@CurrentAuth() auth: AuthContext, @Body() dto: ProxyUpdateDto) {
    return ok(await this.windows.updateProxy(auth, dto));
  }
}
