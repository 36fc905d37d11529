import type { StoredCookie } from '@cos/contracts';

/** Firefox keeps a cookie at most 400 days (`network.cookie.maxageCap`): a later expiry is cut to that. */
export const FIREFOX_COOKIE_MAX_AGE_S = 400 * 86_400;
/** Seconds between the browser's clock and ours that are not a cut. */
const SLACK_S = 60;

/** A cookie whose expiry the browser cut: what was asked, and what it keeps (or will keep). */
export interface CappedCookie {
  name: string;
  domain: string;
  path: string;
  expiry: number;
  cappedTo: number;
}

const key = (c: Pick<StoredCookie, 'name' | 'domain' | 'path'>) =>
  `${c.name}\u0000${c.domain.replace(/^\./, '').toLowerCase()}\u0000${c.path}`;

/** The cookies set in a browser whose expiry it cut, from what was asked and what it kept. */
export function cappedByBrowser(asked: StoredCookie[], kept: StoredCookie[]): CappedCookie[] {
  const stored = new Map(kept.map((c) => [key(c), c.expiry]));
  return asked.flatMap((c) => {
    const keptExpiry = stored.get(key(c));
    return c.expiry !== undefined && keptExpiry !== undefined && keptExpiry < c.expiry - SLACK_S
      ? [{ name: c.name, domain: c.domain, path: c.path, expiry: c.expiry, cappedTo: keptExpiry }]
      : [];
  });
}

/** The cookies whose expiry a browser given them at `nowS` (the window's next open) would cut. */
export function cappedAtOpen(asked: StoredCookie[], nowS = Math.floor(Date.now() / 1000)): CappedCookie[] {
  const cap = nowS + FIREFOX_COOKIE_MAX_AGE_S;
  return asked.flatMap((c) =>
    c.expiry !== undefined && c.expiry > cap + SLACK_S
      ? [{ name: c.name, domain: c.domain, path: c.path, expiry: c.expiry, cappedTo: cap }]
      : [],
  );
}
