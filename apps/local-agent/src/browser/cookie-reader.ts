import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredCookie } from '@cos/contracts';

interface MozCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  expiry: number;
  isSecure: number;
  isHttpOnly: number;
  sameSite: number;
}

const SAME_SITE: StoredCookie['sameSite'][] = ['none', 'lax', 'strict'];

/**
 * Cookies from a profile's cookies.sqlite, for when the browser is gone (crash, closed by hand) or
 * busy with another client. Read from a copy of the database and its write-ahead log, so a
 * running Firefox is never disturbed and nothing committed to the log is missed.
 */
export function readProfileCookies(profileDir: string): StoredCookie[] {
  const source = join(profileDir, 'cookies.sqlite');
  if (!existsSync(source)) return [];
  const dir = mkdtempSync(join(tmpdir(), 'cos-cookies-'));
  try {
    copyFileSync(source, join(dir, 'cookies.sqlite'));
    if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, join(dir, 'cookies.sqlite-wal'));
    const db = new Database(join(dir, 'cookies.sqlite'));
    try {
      const rows = db
        .prepare(`SELECT name, value, host, path, expiry, isSecure, isHttpOnly, sameSite FROM moz_cookies WHERE originAttributes = ''`)
        .all() as MozCookie[];
      const now = Date.now() / 1000;
      return rows
        .map((row) => ({
          name: row.name,
          value: row.value,
          domain: row.host,
          path: row.path,
          secure: row.isSecure === 1,
          httpOnly: row.isHttpOnly === 1,
          // Firefox records an unnamed SameSite as None; only a secure cookie can really be None.
          sameSite: row.sameSite === 0 && row.isSecure !== 1 ? 'default' : (SAME_SITE[row.sameSite] ?? 'default'),
          // Newer Firefox keeps expiry in milliseconds.
          expiry: Math.floor(row.expiry > 1e11 ? row.expiry / 1000 : row.expiry),
        }))
        .filter((c) => c.expiry > now);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
