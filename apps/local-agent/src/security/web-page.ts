import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

/**
 * Whether a request comes from a web page: browsers send an `Origin` or `Sec-Fetch-Site` /
 * `Sec-Fetch-Dest` / `Sec-Fetch-User` with every request a page makes to a loopback address;
 * automation clients send none of them (Node's fetch sends `Sec-Fetch-Mode` alone).
 */
export function fromWebPage(request: IncomingMessage): boolean {
  const h = request.headers;
  return (
    h.origin !== undefined || h['sec-fetch-site'] !== undefined || h['sec-fetch-dest'] !== undefined || h['sec-fetch-user'] !== undefined
  );
}

/**
 * A web page gets no answer at all from the agent, not even an error: any answer (a 403, a 404)
 * would tell the page that the agent runs on this desktop. Its connection is dropped, as a
 * closed port would.
 */
@Injectable()
export class WebPageMiddleware implements NestMiddleware {
  use(request: IncomingMessage, _response: unknown, next: () => void): void {
    if (fromWebPage(request)) {
      request.socket.destroy();
      return;
    }
    next();
  }
}
