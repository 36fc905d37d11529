import { InvalidParamError } from './errors';
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

/** Every cookie that enters a window passes here, whatever format it came in. */
export function checkCookie(cookie: StoredCookie, where: string): StoredCookie {
  if (!cookie.name || cookie.name.length > 4096 || NAME_FORBIDDEN.test(cookie.name) || CONTROL.test(cookie.name)) {
    fail(where, 'name must be 1 to 4096 characters without spaces, control characters, ";", "," or "="');
  }
  if (cookie.value.length > 16_384 || CONTROL.test(cookie.value) || cookie.value.includes(';')) {
    fail(where, 'value must be at most 16384 characters without control characters or ";"');
  }
  const host = cookie.domain.replace(/^\./, '');
  if (!host || cookie.domain.length > 255 || !/^[A-Za-z0-9.:[\]_-]+$/.test(host)) fail(where, 'domain must be a host name');
  if (!cookie.path.startsWith('/') || cookie.path.length > 4096 || CONTROL.test(cookie.path) || cookie.path.includes(';')) {
    fail(where, 'path must start with "/" and hold no control characters or ";"');
  }
  if (cookie.expiry !== undefined && (!Number.isInteger(cookie.expiry) || cookie.expiry < 0 || cookie.expiry > EXPIRY_MAX)) {
    fail(where, 'expiry must be whole seconds since the epoch');
  }
  return cookie;
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

function sameSiteFrom(value: unknown): CookieSameSite {
  if (value === undefined || value === null) return 'default';
  const lower = typeof value === 'string' ? value.toLowerCase() : '';
  if (lower === 'no_restriction' || lower === 'none') return 'none';
  if (lower === 'lax' || lower === 'strict') return lower;
  if (lower === 'unspecified' || lower === 'default' || lower === '') return 'default';
  throw new InvalidParamError(`sameSite ${JSON.stringify(value)} is not one of no_restriction, lax, strict, unspecified`);
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

/** Netscape cookies.txt, as curl and wget read it; HttpOnly cookies carry curl's `#HttpOnly_` prefix. */
export function toNetscape(cookies: readonly StoredCookie[]): string {
  const lines = cookies.map((c) =>
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
  return ['# Netscape HTTP Cookie File', '# Exported by cos', '', ...lines, ''].join('\n');
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
