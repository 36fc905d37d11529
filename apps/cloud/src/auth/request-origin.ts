import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ForbiddenError } from '@cos/contracts';

/**
 * Browsers send Origin with every POST; one naming another site (or none at all) is not the
 * console. Checked before a console session is started, refreshed or ended, and before the
 * attempt is counted against the sign-in limits.
 */
export function assertConsoleOrigin(request: Request): void {
  const origin = request.headers.origin;
  if (!origin || !request.headers.host) throw new ForbiddenError('Console requests must come from the console (Origin missing)');
  assertSameSite(request, origin);
}

/**
 * Checks the console's origin before anything else of the request is looked at or counted:
 * a sign-in a page of another site posts (its form or a no-cors fetch) never uses up the
 * attempts of the people behind the same address.
 */
@Injectable()
export class ConsoleOriginGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    assertConsoleOrigin(context.switchToHttp().getRequest<Request>());
    return true;
  }
}

/**
 * For sign-in routes API clients use too: a request without Origin (curl, the agent) passes, one
 * whose Origin names another site is a page there posting in its visitor's name, refused before
 * the sign-in limits count it.
 */
@Injectable()
export class NotCrossSiteGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const origin = request.headers.origin;
    if (origin !== undefined) assertSameSite(request, origin);
    return true;
  }
}

function assertSameSite(request: Request, origin: string): void {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new ForbiddenError('Console requests must come from the console (Origin malformed)');
  }
  // Only a web page's origin: http(s), no user name, the host and port this request came to.
  const page = (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
  if (!page || url.host !== request.headers.host) throw new ForbiddenError(`Console requests must come from the console, not ${origin}`);
}
