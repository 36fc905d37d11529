import type { Page } from 'puppeteer-core';
import { InvalidParamError } from '@cos/contracts';

export interface OriginState {
  origin: string;
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
}

export const ORIGINS_MAX = 200;

function isWebOrigin(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

/** localStorage and sessionStorage of every web origin open in a tab; tabs on one origin share its localStorage. */
export async function readOrigins(pages: Page[]): Promise<OriginState[]> {
  const byOrigin = new Map<string, OriginState>();
  for (const page of pages) {
    const origin = isWebOrigin(page.url());
    if (!origin) continue;
    const state = await page.evaluate(() => {
      const dump = (storage: Storage) => {
        const out: Record<string, string> = {};
        for (let i = 0; i < storage.length; i++) {
          const key = storage.key(i)!;
          out[key] = storage.getItem(key) ?? '';
        }
        return out;
      };
      return { origin: location.origin, localStorage: dump(localStorage), sessionStorage: dump(sessionStorage) };
    });
    const known = byOrigin.get(state.origin);
    if (known) Object.assign(known.sessionStorage, state.sessionStorage);
    else byOrigin.set(state.origin, { ...state, origin });
  }
  return [...byOrigin.values()];
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidParamError(`${where} must be an object of strings`);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw new InvalidParamError(`${where}.${key} must be a string`);
  }
  return value as Record<string, string>;
}

export function parseOrigins(input: unknown): OriginState[] {
  if (input === undefined) return [];
  if (!Array.isArray(input) || input.length > ORIGINS_MAX)
    throw new InvalidParamError(`state.origins must be an array of at most ${ORIGINS_MAX} origins`);
  return input.map((raw: unknown, index) => {
    const where = `state.origins[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidParamError(`${where} must be an object`);
    const entry = raw as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!['origin', 'localStorage', 'sessionStorage'].includes(key))
        throw new InvalidParamError(`${where}.${key} is not a field of an origin`);
    }
    const origin = typeof entry.origin === 'string' ? isWebOrigin(entry.origin) : null;
    if (!origin || origin !== (entry.origin as string).replace(/\/$/, '')) {
      throw new InvalidParamError(`${where}.origin must be an http(s) origin such as https://example.com`);
    }
    return {
      origin,
      localStorage: stringMap(entry.localStorage, `${where}.localStorage`),
      sessionStorage: stringMap(entry.sessionStorage, `${where}.sessionStorage`),
    };
  });
}

async function write(page: Page, local: Record<string, string>, session: Record<string, string>): Promise<void> {
  await page.evaluate(
    (l: Record<string, string>, s: Record<string, string>) => {
      for (const [k, v] of Object.entries(l)) localStorage.setItem(k, v);
      for (const [k, v] of Object.entries(s)) sessionStorage.setItem(k, v);
    },
    local,
    session,
  );
}

/**
 * Writes each origin's storage: into the tabs open on it (sessionStorage lives per tab), and for an
 * origin no tab shows, its localStorage through a short-lived tab opened on the origin. Such an
 * origin's sessionStorage has no tab to live in and is reported as skipped.
 */
export async function writeOrigins(
  pages: Page[],
  origins: OriginState[],
  openTab: () => Promise<Page>,
  timeout: number,
): Promise<{ origin: string; localStorage: number; sessionStorage: number | 'skipped'; via: 'open tab' | 'temporary tab' }[]> {
  const results = [];
  for (const state of origins) {
    const open = pages.filter((p) => isWebOrigin(p.url()) === state.origin);
    const sessionCount = Object.keys(state.sessionStorage).length;
    if (open.length > 0) {
      for (const page of open) await write(page, state.localStorage, state.sessionStorage);
      results.push({
        origin: state.origin,
        localStorage: Object.keys(state.localStorage).length,
        sessionStorage: sessionCount,
        via: 'open tab' as const,
      });
      continue;
    }
    const tab = await openTab();
    try {
      await tab.goto(`${state.origin}/`, { waitUntil: 'domcontentloaded', timeout });
      await write(tab, state.localStorage, {});
    } finally {
      await tab.close().catch(() => undefined);
    }
    results.push({
      origin: state.origin,
      localStorage: Object.keys(state.localStorage).length,
      sessionStorage: sessionCount > 0 ? ('skipped' as const) : 0,
      via: 'temporary tab' as const,
    });
  }
  return results;
}
