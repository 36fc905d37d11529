import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { UnauthorizedError } from '@cos/contracts';
import { hashToken } from '../crypto/secret-box';
import { AccessTokenPayload, AuthContext } from '../access/auth-context';
import { AuthLoader } from './auth-loader';
import { API_TOKEN_PREFIX } from './auth.guard';
import { sessionCaller } from './verified-tokens';

/**
 * The caller of a request outside Nest's routes (the device line's WebSocket upgrade): the same
 * Bearer rules as the guard — an API token by its hash, else an HS256 access token whose session
 * still stands.
 */
@Injectable()
export class BearerCaller {
  constructor(
    private readonly jwt: JwtService,
    private readonly loader: AuthLoader,
  ) {}

  async of(header: string | undefined): Promise<AuthContext> {
    if (!header || !/^Bearer\s+\S+$/i.test(header)) throw new UnauthorizedError('Missing Bearer token');
    const token = header.replace(/^Bearer\s+/i, '');
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const auth = await this.loader.forApiToken(hashToken(token));
      if (!auth) throw new UnauthorizedError('API token invalid, expired or revoked');
      return auth;
    }
    let payload: AccessTokenPayload;
    try {
      payload = await this.jwt.verifyAsync<AccessTokenPayload & object>(token, { algorithms: ['HS256'] });
    } catch (error) {
      throw new UnauthorizedError((error as Error).name === 'TokenExpiredError' ? 'Token expired' : 'Token invalid');
    }
    return sessionCaller(this.loader, payload);
  }

  /** The caller again, from the database; null once it no longer stands. */
  reload(auth: AuthContext): Promise<AuthContext | null> {
    return this.loader.reload(auth);
  }
}
