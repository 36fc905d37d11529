import { parse } from 'cookie';
import type { Request, Response } from 'express';
import { ForbiddenError } from '@cos/contracts';

/** The console's refresh token: never readable by script, sent only to `/auth/console/*`, only from this site. */
export const REFRESH_COOKIE = 'cos_console_refresh';
const COOKIE_PATH = '/auth/console';

/**
 * Browsers send Origin with every POST; one naming another site (or none at all) is not the
 * console. Checked before a console session is started, refreshed or ended.
 */
export function assertConsoleOrigin(request: Request): void {
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

export function consoleRefreshToken(request: Request): string | undefined {
  return parse(request.headers.cookie ?? '')[REFRESH_COOKIE];
}

export function setConsoleCookie(request: Request, response: Response, token: string): void {
  response.cookie(REFRESH_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: request.secure, path: COOKIE_PATH });
}

export function clearConsoleCookie(request: Request, response: Response): void {
  response.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure: request.secure, path: COOKIE_PATH });
}
