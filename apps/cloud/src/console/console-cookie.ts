import { parse } from 'cookie';
import type { Request, Response } from 'express';

/** The console's refresh token: never readable by script, sent only to `/auth/console/*`, only from this site. */
export const REFRESH_COOKIE = 'cos_console_refresh';
const COOKIE_PATH = '/auth/console';

export function consoleRefreshToken(request: Request): string | undefined {
  return parse(request.headers.cookie ?? '')[REFRESH_COOKIE];
}

export function setConsoleCookie(request: Request, response: Response, token: string): void {
  response.cookie(REFRESH_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: request.secure, path: COOKIE_PATH });
}

export function clearConsoleCookie(request: Request, response: Response): void {
  response.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure: request.secure, path: COOKIE_PATH });
}
