import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { ForbiddenError, UnauthorizedError } from '@cos/contracts';
import { IS_PUBLIC } from '@cos/server-common';
import { AgentCloud } from '../cloud/agent-cloud';
import { AgentConfig } from '../config/agent-config';
import { LocalToken } from '../identity/agent-files';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Every local call: the Host header must name this loopback port (a DNS-rebinding page would send
 * its own host name), then the X-Cos-Local-Token must match, then the agent must be logged in.
 */
@Injectable()
export class LocalAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AgentConfig,
    private readonly token: LocalToken,
    private readonly cloud: AgentCloud,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const port = request.socket.localPort;
    const host = request.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
      throw new ForbiddenError(`Host ${JSON.stringify(host)} is not allowed`);
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const given = request.headers['x-cos-local-token'];
    if (typeof given !== 'string' || !same(given, this.token.current())) throw new UnauthorizedError('Invalid local access token');
    if (!this.cloud.loggedIn) throw new UnauthorizedError('Agent not logged in; run: npm run agent -- login');
    return true;
  }
}
