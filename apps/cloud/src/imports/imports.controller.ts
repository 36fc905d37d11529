import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, RequirePermission } from '../access/auth.decorators';
import { ImportProxiesDto, ImportWindowsDto } from './dto/import.dto';
import { ProxyImport } from './proxy-import';
import { WindowImport } from './window-import';

@ApiTags('import')
@Controller()
export class ImportsController {
  constructor(
    private readonly windows: WindowImport,
    private readonly proxies: ProxyImport,
  ) {}

  @Post('browser/import')
  @HttpCode(200)
  @RequirePermission(
    'browser:create:single',
    'Create windows from import rows (a CSV or another product export mapped by the console): good rows created together, each bad one answered with its reason; dryRun checks only',
  )
  async importWindows(@CurrentAuth() auth: AuthContext, @Body() dto: ImportWindowsDto) {
    return ok(await this.windows.import(auth, dto));
  }

  @Post('proxy/import')
  @HttpCode(200)
  @RequirePermission('proxy:manage', 'Save proxies from a pasted list, one per line; dryRun checks only')
  async importProxies(@CurrentAuth() auth: AuthContext, @Body() dto: ImportProxiesDto) {
    return ok(await this.proxies.import(auth, dto));
  }
}
