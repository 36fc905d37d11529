import { All, Controller, Logger, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { Public } from '@cos/server-common';
import { AgentCloud } from '../cloud/agent-cloud';
import { AgentConfig } from '../config/agent-config';
import { LocalToken } from '../identity/agent-files';
import { McpTools } from './mcp-tools';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A JSON-RPC error with its HTTP status: what MCP clients read from a refused request. */
function refuse(res: Response, status: number, message: string, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(status).json({ jsonrpc: '2.0', id: null, error: { code: -32000, message } });
}

/**
 * The agent's MCP server over Streamable HTTP at `/mcp` on its loopback port. The local token is
 * the Bearer token; a request with an Origin not allowed (AGENT_MCP_ALLOWED_ORIGINS, none by
 * default) is refused with 403, as the MCP specification asks of local servers against DNS
 * rebinding (the global guard has already checked the Host). Stateless: each POST gets a server
 * of its own, so nothing is kept between requests and no session can be taken over.
 */
@Public()
@Controller('mcp')
export class McpController {
  private readonly logger = new Logger(McpController.name);
  private readonly origins: Set<string>;

  constructor(
    private readonly tools: McpTools,
    private readonly token: LocalToken,
    private readonly cloud: AgentCloud,
    config: AgentConfig,
  ) {
    this.origins = new Set((config.env.AGENT_MCP_ALLOWED_ORIGINS ?? '').split(',').filter(Boolean));
  }

  @All()
  async handle(@Req() req: Request, @Res() res: Response): Promise<void> {
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has(origin)) return refuse(res, 403, `Origin ${JSON.stringify(origin)} is not allowed`);
    const auth = req.headers.authorization ?? '';
    const bearer = /^Bearer (\S+)$/i.exec(auth)?.[1];
    if (!bearer || !same(bearer, this.token.current())) {
      return refuse(res, 401, 'Invalid local access token: send it as Authorization: Bearer <token> (npm run agent -- token)', {
        'WWW-Authenticate': 'Bearer realm="cos-agent"',
      });
    }
    if (!this.cloud.loggedIn) return refuse(res, 401, 'Agent not logged in; run: npm run agent -- login');
    if (req.method !== 'POST') return refuse(res, 405, 'This server is stateless: POST JSON-RPC messages', { Allow: 'POST' });
    const server = this.tools.server();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (error) {
      this.logger.warn(`MCP request failed: ${(error as Error).message}`);
      if (!res.headersSent) refuse(res, 500, 'Internal error');
    }
  }
}
