import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { DomainError, ForbiddenError, permissionFor, UnauthorizedError } from '@cos/contracts';
import { IS_PUBLIC } from '@cos/server-common';
import { hashToken } from '../crypto/secret-box';
import { AuthContext } from '../access/auth-context';
import { AuthLoader } from './auth-loader';
import { sessionCaller, VerifiedTokens } from './verified-tokens';
import { PermissionRequirement, REQUIRED_PERMISSION } from '../access/auth.decorators';

export const API_TOKEN_PREFIX = 'cos_pat_';

/** The global guard: every route needs a valid Bearer token (JWT or API token) unless `@Public()`. */
@Injectable()
export class AuthenticationGuard extends AuthGuard('jwt') implements CanActivate {
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly reflector: Reflector,
    private readonly loader: AuthLoader,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<Request & { user?: AuthContext }>();
    const header = request.headers.authorization ?? '';
    if (!/^Bearer\s+\S+$/i.test(header)) throw new UnauthorizedError('Missing Bearer token');
    const token = header.replace(/^Bearer\s+/i, '');
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const auth = await this.loader.forApiToken(hashToken(token));
      if (!auth) throw new UnauthorizedError('API token invalid, expired or revoked');
      request.user = auth;
      return true;
    }
    const verified = this.verified.payload(token);
    if (verified) {
      request.user = await sessionCaller(this.loader, verified);
      return true;
    }
    const allowed = (await super.canActivate(context)) as boolean;
    if (allowed) this.verified.remember(token);
    return allowed;
  }

  override handleRequest<T>(error: unknown, user: T, info: unknown): T {
    if (error instanceof DomainError) throw error;
    if (error || !user) {
      const expired = info instanceof Error && info.name === 'TokenExpiredError';
      throw new UnauthorizedError(expired ? 'Token expired' : 'Token invalid');
    }
    return user;
  }
}

/** Checks the permission the route states; resource scope is the services' second check. */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const requirement = this.reflector.get<PermissionRequirement | undefined>(REQUIRED_PERMISSION, context.getHandler());
    if (!requirement) return true;
    const request = context.switchToHttp().getRequest<Request & { user: AuthContext }>();
    const body = (request.body ?? {}) as Record<string, unknown>;
    const needed =
      typeof requirement === 'string'
        ? requirement
        : typeof requirement === 'function'
          ? requirement(body)
          : permissionFor(requirement, Array.isArray(body.ids) ? new Set(body.ids.map(String)).size : 1);
    if (!request.user.holds(needed)) throw new ForbiddenError(`Permission denied: ${needed} required`);
    return true;
  }
}
