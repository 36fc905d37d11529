import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { AgentConfig } from '../config/agent-config';

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
 * closed port would. The one exception is what the user named: pages of an origin in
 * AGENT_MCP_ALLOWED_ORIGINS reach `/mcp` (a browser-based MCP client), still with the token.
 */
@Injectable()
export class WebPageMiddleware implements NestMiddleware {
  private readonly mcpOrigins: Set<string>;

  constructor(config: AgentConfig) {
    this.mcpOrigins = new Set((config.env.AGENT_MCP_ALLOWED_ORIGINS ?? '').split(',').filter(Boolean));
  }

  use(request: IncomingMessage, _response: unknown, next: () => void): void {
    const path = ((request as IncomingMessage & { originalUrl?: string }).originalUrl ?? request.url ?? '').split('?')[0];
    const allowedMcpPage = path === '/mcp' && typeof request.headers.origin === 'string' && this.mcpOrigins.has(request.headers.origin);
    if (fromWebPage(request) && !allowedMcpPage) {
      request.socket.destroy();
      return;
    }
    next();
  }
}
