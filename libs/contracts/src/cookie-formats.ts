import ipaddr from 'ipaddr.js';
import { getPublicSuffix } from 'tldts';
import { InvalidParamError } from './errors';
import { COOKIE_SAME_SITE } from './window';
import type { CookieSameSite, StoredCookie } from './window';

/** The most cookies one window holds or one import carries. */
export const COOKIES_MAX = 20_000;

export const COOKIE_FORMATS = ['json', 'netscape'] as const;
export type CookieFormat = (typeof COOKIE_FORMATS)[number];

/** One cookie as the common cookie extensions (Cookie-Editor, EditThisCookie) export it. */
export interface ExtensionCookie {
  domain: string;
  expirationDate?: number;
  hostOnly: boolean;
  httpOnly: boolean;
  name: string;
  path: string;
  sameSite: 'no_restriction' | 'lax' | 'strict' | 'unspecified';
  secure: boolean;
  session: boolean;
  storeId: string | null;
  value: string;
}

const EXTENSION_SAME_SITE: Record<CookieSameSite, ExtensionCookie['sameSite']> = {
  none: 'no_restriction',
  lax: 'lax',
  strict: 'strict',
  default: 'unspecified',
};

// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const CONTROL = /[\u0000-\u001f\u007f]/;
const NAME_FORBIDDEN = /[\s;=,]/;
/** Beyond 9999-12-31 no browser keeps a date. */
const EXPIRY_MAX = 253_402_300_799;
/** A host name's label: letters, digits, "_" and "-" (not at either end), at least one letter or digit. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function fail(where: string, problem: string): never {
  throw new InvalidParamError(`${where}: ${problem}`);
}

/** A cookie as stored: only its own fields (no class instance, no absent key set to undefined). */
export function storedCookie(c: StoredCookie): StoredCookie {
  return {
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    secure: c.secure,
    httpOnly: c.httpOnly,
    sameSite: c.sameSite,
    ...(c.expiry !== undefined ? { expiry: c.expiry } : {}),
  };
}

function isIp(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return ipaddr.IPv4.isValidFourPartDecimal(host) || (bare.includes(':') && ipaddr.IPv6.isValid(bare));
}

/** Why `domain` names no host a browser keeps cookies for, or null when it does. */
function domainProblem(domain: string): string | null {
  const wholeDomain = domain.startsWith('.');
  const host = (wholeDomain ? domain.slice(1) : domain).toLowerCase();
  if (!host || domain.length > 255) return 'domain must be a host name';
  if (isIp(host)) return wholeDomain ? 'domain: an IP address has no subdomains (no leading ".")' : null;
  const labels = host.split('.');
  if (!labels.every((label) => LABEL.test(label) && /[a-z0-9]/.test(label)) || /^\d+$/.test(labels[labels.length - 1])) {
    return 'domain must be a host name (letters, digits, "-" and "_" in dot-separated labels) or an IP address';
  }
  // A cookie for every site under a public suffix (".com", ".co.uk") is one no browser accepts.
  if (wholeDomain && getPublicSuffix(host, { allowPrivateDomains: false }) === host) {
    return `domain ${domain} is a public suffix: a cookie cannot be set for all of it`;
  }
  return null;
}

/**
 * Why a cookie cannot be stored, or null when it can: the one check for every way a cookie
 * enters a window (imports, profile commits, closes) and for every file that writes one out.
 * Control characters, ";" and "=" are refused where a browser would split a cookie on them,
 * and a tab or a line break would start another line of a cookies.txt file.
 */
export function cookieProblem(cookie: StoredCookie): string | null {
  const c = cookie as unknown as Record<string, unknown>;
  if (typeof c !== 'object' || c === null) return 'must be a cookie object';
  const { name, value, domain, path, expiry } = cookie;
  if (typeof name !== 'string' || !name || name.length > 4096 || NAME_FORBIDDEN.test(name) || CONTROL.test(name)) {
    return 'name must be 1 to 4096 characters without spaces, control characters, ";", "," or "="';
  }
  if (typeof value !== 'string' || value.length > 16_384 || CONTROL.test(value) || value.includes(';')) {
    return 'value must be at most 16384 characters without control characters or ";"';
  }
  if (typeof domain !== 'string') return 'domain must be a host name';
  const badDomain = domainProblem(domain);
  if (badDomain) return badDomain;
  if (typeof path !== 'string' || !path.startsWith('/') || path.length > 4096 || CONTROL.test(path) || path.includes(';')) {
    return 'path must start with "/" and hold no control characters or ";"';
  }
  if (typeof c.secure !== 'boolean' || typeof c.httpOnly !== 'boolean') return 'secure and httpOnly must be true or false';
  if (!(COOKIE_SAME_SITE as readonly unknown[]).includes(c.sameSite)) return `sameSite must be one of ${COOKIE_SAME_SITE.join(', ')}`;
  if (expiry !== undefined && (!Number.isInteger(expiry) || expiry < 0 || expiry > EXPIRY_MAX)) {
    return 'expiry must be whole seconds since the epoch';
  }
  return null;
}

/** Every cookie that enters a window passes here, whatever format it came in. */
export function checkCookie(cookie: StoredCookie, where: string): StoredCookie {
  const problem = cookieProblem(cookie);
  if (problem) fail(where, problem);
  return cookie;
}

/** A list of cookies as they will be stored, each checked; the first bad one is 211 naming `field[i]`. */
export function checkCookies(cookies: readonly StoredCookie[], field = 'cookies'): StoredCookie[] {
  return cookies.map((c, i) => checkCookie(storedCookie(c), `${field}[${i}]`));
}

/** A cookie left out, and why. */
export interface CookieRefusal {
  name: string;
  domain: string;
  reason: string;
}

/** Splits cookies into those that pass the check and those that do not (with the reason). */
export function sortCookies(cookies: readonly StoredCookie[]): { valid: StoredCookie[]; refused: CookieRefusal[] } {
  const valid: StoredCookie[] = [];
  const refused: CookieRefusal[] = [];
  for (const cookie of cookies) {
    const problem = cookieProblem(cookie);
    if (problem) refused.push({ name: String(cookie?.name).slice(0, 100), domain: String(cookie?.domain).slice(0, 255), reason: problem });
    else valid.push(storedCookie(cookie));
  }
  return { valid, refused };
}

function checkCount(count: number): void {
  if (count > COOKIES_MAX) throw new InvalidParamError(`cookies: at most ${COOKIES_MAX} cookies per window`);
}

export function toExtensionJson(cookies: readonly StoredCookie[]): ExtensionCookie[] {
  return cookies.map((c) => ({
    domain: c.domain,
    ...(c.expiry !== undefined ? { expirationDate: c.expiry } : {}),
    hostOnly: !c.domain.startsWith('.'),
    httpOnly: c.httpOnly,
    name: c.name,
    path: c.path,
    sameSite: EXTENSION_SAME_SITE[c.sameSite],
    secure: c.secure,
    session: c.expiry === undefined,
    storeId: null,
    value: c.value,
  }));
}

/** A sameSite as browsers, BiDi and the extensions' files write it, as stored; null for anything else. */
export function parseSameSite(value: unknown): CookieSameSite | null {
  if (value === undefined || value === null) return 'default';
  const lower = typeof value === 'string' ? value.toLowerCase() : null;
  if (lower === 'no_restriction' || lower === 'none') return 'none';
  if (lower === 'lax' || lower === 'strict') return lower;
  if (lower === 'unspecified' || lower === 'default' || lower === '') return 'default';
  return null;
}

function sameSiteFrom(value: unknown): CookieSameSite {
  const sameSite = parseSameSite(value);
  if (sameSite === null) {
    throw new InvalidParamError(`sameSite ${JSON.stringify(value)} is not one of no_restriction, lax, strict, unspecified`);
  }
  return sameSite;
}

/** Reads the extensions' JSON export; fields they leave out take the browser's defaults. */
export function fromExtensionJson(input: unknown, field = 'cookies'): StoredCookie[] {
  if (!Array.isArray(input)) throw new InvalidParamError(`${field} must be an array of cookie objects`);
  checkCount(input.length);
  return input.map((raw: unknown, index) => {
    const where = `${field}[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(where, 'must be an object');
    const c = raw as Record<string, unknown>;
    const text = (key: string, fallback?: string): string => {
      const value = c[key] ?? fallback;
      if (typeof value !== 'string') fail(where, `${key} must be a string`);
      return value;
    };
    const flag = (key: string): boolean => {
      const value = c[key] ?? false;
      if (typeof value !== 'boolean') fail(where, `${key} must be true or false`);
      return value;
    };
    const expires = c.expirationDate ?? c.expires ?? c.expiry;
    if (expires !== undefined && expires !== null && (typeof expires !== 'number' || !Number.isFinite(expires))) {
      fail(where, 'expirationDate must be seconds since the epoch');
    }
    const session = c.session === true || expires === undefined || expires === null || expires <= 0;
    let domain = text('domain');
    // A cookie for a whole domain is written with a leading dot, as browsers keep it.
    if (c.hostOnly === false && !domain.startsWith('.')) domain = `.${domain}`;
    let sameSite: CookieSameSite;
    try {
      sameSite = sameSiteFrom(c.sameSite);
    } catch (error) {
      fail(where, (error as Error).message);
    }
    return checkCookie(
      {
        name: text('name'),
        value: text('value', ''),
        domain,
        path: text('path', '/'),
        secure: flag('secure'),
        httpOnly: flag('httpOnly'),
        sameSite,
        ...(session ? {} : { expiry: Math.floor(expires) }),
      },
      where,
    );
  });
}

const HTTP_ONLY_PREFIX = '#HttpOnly_';

/**
 * Netscape cookies.txt, as curl and wget read it; HttpOnly cookies carry curl's `#HttpOnly_` prefix.
 * A cookie that fails the check (stored before it existed) is left out and named in `skipped`:
 * a tab or line break in it would write fields or lines of its own.
 */
export function toNetscape(cookies: readonly StoredCookie[]): { text: string; skipped: CookieRefusal[] } {
  const { valid, refused } = sortCookies(cookies);
  const lines = valid.map((c) =>
    [
      `${c.httpOnly ? HTTP_ONLY_PREFIX : ''}${c.domain}`,
      c.domain.startsWith('.') ? 'TRUE' : 'FALSE',
      c.path,
      c.secure ? 'TRUE' : 'FALSE',
      String(c.expiry ?? 0),
      c.name,
      c.value,
    ].join('\t'),
  );
  return { text: ['# Netscape HTTP Cookie File', '# Exported by cos', '', ...lines, ''].join('\n'), skipped: refused };
}

export function fromNetscape(text: string): StoredCookie[] {
  const cookies: StoredCookie[] = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const where = `cookies line ${index + 1}`;
    let line = rawLine;
    let httpOnly = false;
    if (line.startsWith(HTTP_ONLY_PREFIX)) {
      httpOnly = true;
      line = line.slice(HTTP_ONLY_PREFIX.length);
    } else if (line.startsWith('#') || line.trim() === '') {
      return;
    }
    const fields = line.split('\t');
    if (fields.length !== 7)
      fail(where, `expected 7 tab-separated fields (domain, subdomains, path, secure, expiry, name, value), got ${fields.length}`);
    const [domain, subdomains, path, secure, expires, name, value] = fields;
    const bool = (field: string, label: string) => {
      if (field.toUpperCase() === 'TRUE') return true;
      if (field.toUpperCase() === 'FALSE') return false;
      return fail(where, `${label} must be TRUE or FALSE`);
    };
    if (!/^\d+$/.test(expires)) fail(where, 'expiry must be whole seconds since the epoch (0 for a session cookie)');
    const expiry = Number(expires);
    const wholeDomain = bool(subdomains, 'the subdomains flag');
    cookies.push(
      checkCookie(
        {
          name,
          value,
          domain: wholeDomain && !domain.startsWith('.') ? `.${domain}` : domain,
          path,
          secure: bool(secure, 'secure'),
          httpOnly,
          sameSite: 'default',
          ...(expiry > 0 ? { expiry } : {}),
        },
        where,
      ),
    );
    checkCount(cookies.length);
  });
  return cookies;
}
