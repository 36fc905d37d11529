import { randomBytes, timingSafeEqual } from 'node:crypto';

/** What a bridge answers a request that does not carry its credentials. */
export interface GateRefusal {
  status: 403 | 407;
  headers: Record<string, string>;
}

const REALM = 'cos window bridge';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A bridge carries a window's paid proxy on 127.0.0.1, where any local program could reach it:
 * it takes only requests with its own random credentials, which only that window's Firefox is
 * given (its extension answers the bridge's challenge, without a prompt). Until the browser's
 * answer is in place a request without them is refused outright (403); from then on it is
 * challenged (407), which Firefox answers from the extension.
 */
export class BridgeGate {
  readonly username = `cos-${randomBytes(6).toString('hex')}`;
  readonly password = randomBytes(24).toString('base64url');
  private challenging = false;

  /** The browser can now answer a challenge: refusals become 407s it answers. */
  challenge(): void {
    this.challenging = true;
  }

  /** The `Proxy-Authorization` value the bridge takes. */
  get authorization(): string {
    return `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
  }

  /** Whether a username and password given to the bridge are its own. */
  accepts(username: string, password: string): boolean {
    return same(username, this.username) && same(password, this.password);
  }

  /** null lets the request through; otherwise how to answer it. */
  check(header: string | string[] | undefined): GateRefusal | null {
    if (typeof header === 'string' && same(header.trim(), this.authorization)) return null;
    return this.refusal();
  }

  refusal(): GateRefusal {
    return this.challenging
      ? { status: 407, headers: { 'Proxy-Authenticate': `Basic realm="${REALM}"`, Connection: 'close' } }
      : { status: 403, headers: { Connection: 'close' } };
  }
}
