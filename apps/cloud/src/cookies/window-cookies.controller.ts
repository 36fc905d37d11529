import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, RequirePermission } from '../access/auth.decorators';
import { ImportCookiesDto } from './dto/window-cookies.dto';
import { WindowRefDto } from '../windows/dto/window.dto';
import { WindowCookiesService } from './window-cookies.service';

@ApiTags('browser')
@Controller('browser/cookies')
export class WindowCookiesController {
  constructor(private readonly cookies: WindowCookiesService) {}

  @Post('export')
  @HttpCode(200)
  // Cookies are the identity itself: whoever may read them may as well open the window.
  @RequirePermission('browser:open', "A window's stored cookies, the ones its next open starts with; each read is audited")
  async export(@CurrentAuth() auth: AuthContext, @Body() dto: WindowRefDto) {
    return ok(await this.cookies.export(auth, dto.windowRef));
  }

  @Post('import')
  @HttpCode(200)
  @RequirePermission('browser:update:single', "Merge cookies into a closed window's stored cookies, or replace them")
  async import(@CurrentAuth() auth: AuthContext, @Body() dto: ImportCookiesDto) {
    return ok(await this.cookies.import(auth, dto));
  }
}
