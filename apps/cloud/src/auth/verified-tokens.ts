import { UnauthorizedError } from '@cos/contracts';
import { AccessTokenPayload, AuthContext } from '../access/auth-context';
import { AuthLoader } from './auth-loader';

const REMEMBERED_MAX = 10_000;

interface Verified {
  payload: AccessTokenPayload;
  /** When the token expires (its `exp`), in ms. */
  expiresAt: number;
}

/**
 * Access tokens whose signature was verified here, so a client's next call with the same token
 * skips the HMAC and passport's machinery: the key is the whole token, signature included, and an
 * entry is used only until the token's own expiry. Whether the session still stands is asked of
 * the `AuthLoader` on every call, as for a token verified afresh.
 */
export class VerifiedTokens {
  private readonly tokens = new Map<string, Verified>();

  payload(token: string, now = Date.now()): AccessTokenPayload | null {
    const hit = this.tokens.get(token);
    if (!hit) return null;
    if (hit.expiresAt > now) return hit.payload;
    this.tokens.delete(token);
    return null;
  }

  /** Call only after the token's signature and expiry were verified. */
  remember(token: string): void {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as AccessTokenPayload & {
      exp?: unknown;
    };
    if (typeof claims.exp !== 'number') return;
    if (this.tokens.size >= REMEMBERED_MAX) this.tokens.delete(this.tokens.keys().next().value as string);
    this.tokens.set(token, { payload: { sub: claims.sub, sid: claims.sid, tid: claims.tid }, expiresAt: claims.exp * 1000 });
  }
}

/** The caller a verified access token stands for, while its session stands. */
export async function sessionCaller(loader: AuthLoader, payload: AccessTokenPayload): Promise<AuthContext> {
  if (!Number.isInteger(payload.sub) || typeof payload.sid !== 'string') throw new UnauthorizedError('Token invalid');
  const auth = await loader.forSession(payload.sub, payload.sid);
  if (!auth) throw new UnauthorizedError('Session ended; log in again');
  return auth;
}
