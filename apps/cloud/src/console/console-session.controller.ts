import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { NO_CONSOLE_SESSION, ok, UnauthorizedError } from '@cos/contracts';
import { Public } from '@cos/server-common';
import { AuthService } from '../auth/auth.service';
import type { TokenPair } from '../auth/auth.service';
import { LoginDto } from '../auth/dto/auth.dto';
import { clientAddress, LoginThrottlerGuard } from '../auth/login-throttler.guard';
import { ConsoleOriginGuard } from '../auth/request-origin';
import { clearConsoleCookie, consoleRefreshToken, setConsoleCookie } from './console-cookie';

/** The sign-in page shows why a session was refused: in a person's words, not a token's. */
const IN_PLAIN_WORDS: Record<string, string> = {
  'Refresh token invalid or expired':
    'your session has ended (it ran out, was signed out elsewhere, or your access to the team was removed)',
  'Refresh token was already used; the session has been ended':
    "your session was ended because its sign-in cookie was used twice (this browser's, or a copy of it)",
};

/**
 * Sessions of the web console. The access token lives in the page's memory; the refresh token
 * in an httpOnly, SameSite=Strict cookie scoped to `/auth/console` (Secure over https). A
 * sign-in, refresh or logout must come from the console's own origin: a request whose Origin
 * names another site is refused before the cookie is looked at or the attempt counted.
 */
@ApiTags('auth')
@Controller('auth/console')
export class ConsoleSessionController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @UseGuards(ConsoleOriginGuard, LoginThrottlerGuard)
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Console sign-in: an access token in the answer, the refresh token in an httpOnly cookie' })
  async login(@Body() dto: LoginDto, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const { refreshToken, ...answer } = await this.auth.login(dto, clientAddress(request));
    setConsoleCookie(request, response, refreshToken);
    return ok(answer);
  }

  @Public()
  @UseGuards(ConsoleOriginGuard)
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Console: a new access token from the refresh cookie (rotated), and who it signs in (`me`, as /auth/me answers; left out when it could not be read); only from the console's origin",
  })
  async refresh(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const token = consoleRefreshToken(request);
    if (!token) throw new UnauthorizedError(NO_CONSOLE_SESSION);
    let answer: Omit<TokenPair, 'refreshToken'>;
    try {
      const { refreshToken, ...rest } = await this.auth.refresh(token);
      setConsoleCookie(request, response, refreshToken);
      answer = rest;
    } catch (error) {
      // Only a refusal ends the browser's session: a refresh that could not be carried out (the
      // database away for a moment) leaves the cookie for the next try.
      if (!(error instanceof UnauthorizedError)) throw error;
      clearConsoleCookie(request, response);
      throw new UnauthorizedError(IN_PLAIN_WORDS[error.message] ?? error.message);
    }
    // The session stands and its cookie rotated: a failure to read who it is leaves the page to ask /auth/me.
    const me = await this.auth.meOf(answer.accessToken).catch(() => undefined);
    return ok(me ? { ...answer, me } : answer);
  }

  @Public()
  @UseGuards(ConsoleOriginGuard)
  @Post('logout')
  @HttpCode(200)
  @ApiOperation({ summary: 'Console sign-out: ends the session of the refresh cookie and removes the cookie' })
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const token = consoleRefreshToken(request);
    if (token) await this.auth.endSession(token);
    clearConsoleCookie(request, response);
    return ok();
  }
}
