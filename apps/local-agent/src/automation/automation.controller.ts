import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { fromExtensionJson, ok } from '@cos/contracts';
import { WindowAliasesDto } from '../browser/dto/window-aliases.dto';
import { CookieFiles } from './cookie-files';
import {
  ActionsDto,
  ClearCookiesDto,
  EvalDto,
  ExportCookieFileDto,
  ImportCookieFileDto,
  ImportStateDto,
  NavigateDto,
  ScreenshotDto,
  SetCookiesDto,
} from './dto/automation.dto';
import { WindowAutomation } from './window-automation';

/** Driving a running window over HTTP, and cookie files for any window. */
@Controller('browser')
export class AutomationController {
  constructor(
    private readonly automation: WindowAutomation,
    private readonly files: CookieFiles,
  ) {}

  @Post('navigate')
  @HttpCode(200)
  async navigate(@Body() dto: NavigateDto) {
    return ok(await this.automation.navigate(dto.windowRef, dto.url, dto.waitUntil, dto.timeoutMs));
  }

  @Post('eval')
  @HttpCode(200)
  async evaluate(@Body() dto: EvalDto) {
    return ok(await this.automation.evaluate(dto.windowRef, dto.code, dto.timeoutMs));
  }

  @Post('screenshot')
  @HttpCode(200)
  async screenshot(@Body() dto: ScreenshotDto) {
    return ok(await this.automation.screenshot(dto.windowRef, dto.format, dto.fullPage, dto.quality));
  }

  @Post('actions')
  @HttpCode(200)
  async actions(@Body() dto: ActionsDto) {
    return ok(await this.automation.actions(dto.windowRef, dto.steps, dto.timeoutMs));
  }

  @Post('cookies')
  @HttpCode(200)
  async cookies(@Body() dto: WindowAliasesDto) {
    return ok(await this.automation.liveCookies(dto.windowRef));
  }

  @Post('cookies/set')
  @HttpCode(200)
  async setCookies(@Body() dto: SetCookiesDto) {
    return ok(await this.automation.setCookies(dto.windowRef, fromExtensionJson(dto.cookies)));
  }

  @Post('cookies/clear')
  @HttpCode(200)
  async clearCookies(@Body() dto: ClearCookiesDto) {
    return ok(await this.automation.clearCookies(dto.windowRef, dto.domain));
  }

  @Post('state/export')
  @HttpCode(200)
  async exportState(@Body() dto: WindowAliasesDto) {
    return ok(await this.automation.exportState(dto.windowRef));
  }

  @Post('state/import')
  @HttpCode(200)
  async importState(@Body() dto: ImportStateDto) {
    return ok(await this.automation.importState(dto.windowRef, dto.state, dto.timeoutMs));
  }

  @Post('cookies/export')
  @HttpCode(200)
  async exportCookies(@Body() dto: ExportCookieFileDto) {
    return ok(await this.files.export(dto.windowRef, dto.format ?? 'json'));
  }

  @Post('cookies/import')
  @HttpCode(200)
  async importCookies(@Body() dto: ImportCookieFileDto) {
    return ok(await this.files.import(dto.windowRef, dto.format ?? 'json', { cookies: dto.cookies, text: dto.text }, dto.mode ?? 'merge'));
  }
}
