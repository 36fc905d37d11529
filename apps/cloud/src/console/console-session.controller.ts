import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { parse } from 'cookie';
import type { Request, Response } from 'express';
import { ForbiddenError, ok, UnauthorizedError } from '@cos/contracts';
import { Public } from '@cos/server-common';
import { AuthService } from '../auth/auth.service';
import { LoginDto } from '../auth/dto/auth.dto';
import { clientAddress, LoginThrottlerGuard } from '../auth/login-throttler.guard';

/** The console's refresh token: never readable by script, sent only to these three routes, only from this site. */
export const REFRESH_COOKIE = 'cos_console_refresh';
const COOKIE_PATH = '/auth/console';

/**
 * Sessions of the web console. The access token lives in the page's memory; the refresh token
 * in an httpOnly, SameSite=Strict cookie scoped to `/auth/console` (Secure over https). A
 * refresh or logout must come from the console's own origin: a request whose Origin names
 * another site is refused before the cookie is looked at.
 */
@ApiTags('auth')
@Controller('auth/console')
export class ConsoleSessionController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @UseGuards(LoginThrottlerGuard)
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Console sign-in: an access token in the answer, the refresh token in an httpOnly cookie' })
  async login(@Body() dto: LoginDto, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    this.sameOrigin(request);
    const { refreshToken, ...answer } = await this.auth.login(dto, clientAddress(request));
    this.setCookie(request, response, refreshToken);
    return ok(answer);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: "Console: a new access token from the refresh cookie (rotated); only from the console's origin" })
  async refresh(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    this.sameOrigin(request);
    const token = this.cookie(request);
    if (!token) throw new UnauthorizedError('No console session');
    try {
      const { refreshToken, ...answer } = await this.auth.refresh(token);
      this.setCookie(request, response, refreshToken);
      return ok(answer);
    } catch (error) {
      this.clearCookie(request, response);
      throw error;
    }
  }

  @Public()
  @Post('logout')
  @HttpCode(200)
  @ApiOperation({ summary: 'Console sign-out: ends the session of the refresh cookie and removes the cookie' })
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    this.sameOrigin(request);
    const token = this.cookie(request);
    if (token) await this.auth.endSession(token);
    this.clearCookie(request, response);
    return ok();
  }

  /** Browsers send Origin with every POST; one naming another site (or none at all) is not the console. */
  private sameOrigin(request: Request): void {
    const origin = request.headers.origin;
    const host = request.headers.host;
    if (!origin || !host) throw new ForbiddenError('Console requests must come from the console (Origin missing)');
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      throw new ForbiddenError('Console requests must come from the console (Origin malformed)');
    }
    if (originHost !== host) throw new ForbiddenError(`Console requests must come from the console, not ${origin}`);
  }

  private cookie(request: Request): string | undefined {
    return parse(request.headers.cookie ?? '')[REFRESH_COOKIE];
  }

  private setCookie(request: Request, response: Response, token: string): void {
    response.cookie(REFRESH_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: request.secure, path: COOKIE_PATH });
  }

  private clearCookie(request: Request, response: Response): void {
    response.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure: request.secure, path: COOKIE_PATH });
  }
}
