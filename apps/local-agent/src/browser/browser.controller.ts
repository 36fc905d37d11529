import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ok } from '@cos/contracts';
import { BrowserWindowsService } from './browser-windows.service';
import { OpenWindowDto, WindowAliasesDto } from './dto/window-aliases.dto';
import { RunningWindows } from './running-windows';

@Controller('browser')
export class BrowserController {
  constructor(
    private readonly windows: BrowserWindowsService,
    private readonly running: RunningWindows,
  ) {}

  @Post('open')
  @HttpCode(200)
  async open(@Body() dto: OpenWindowDto) {
    const opened = dto.windowRef ? await this.windows.open(dto.windowRef) : await this.windows.openOneTime(dto.window);
    return ok(opened, 'Browser opened');
  }

  @Post('close')
  @HttpCode(200)
  async close(@Body() dto: WindowAliasesDto) {
    return ok(await this.windows.close(dto.windowRef), 'Browser closed');
  }

  @Post('close/all')
  @HttpCode(200)
  async closeAll() {
    return ok(await this.windows.closeAll(), 'Browsers closed');
  }

  @Post('proxy/refresh')
  @HttpCode(200)
  async refreshProxy(@Body() dto: WindowAliasesDto) {
    return ok(await this.windows.refreshProxy(dto.windowRef));
  }

  @Post('closing/reset')
  @HttpCode(200)
  async reset(@Body() dto: WindowAliasesDto) {
    return ok(await this.windows.resetClosing(dto.windowRef));
  }

  @Post('pids')
  @HttpCode(200)
  pids() {
    return ok(this.running.pids());
  }

  @Post('ports')
  @HttpCode(200)
  ports() {
    return ok(this.running.ports());
  }
}
