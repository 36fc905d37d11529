import { InvalidParamError } from './errors';
import { LIMITS } from './limits';

const UUID_TEXT = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * A whole string made of a UUID (captured as the first group) between two patterns: what a
 * device id (`dev-<uuid>`), a zip name (`<uuid>.zip`) or a refresh token (`<uuid>.<secret>`) is.
 * Lower case only unless `flags` has `i`.
 */
export function uuidBetween(before: string, after: string, flags = ''): RegExp {
  return new RegExp(`^${before}(${UUID_TEXT})${after}$`, flags);
}

/** A UUID in its usual text form, any case: the one pattern for window uuids, commit ids and the like. */
export const UUID = uuidBetween('', '', 'i');

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** A positive integer id given as a number or a string of digits; anything else is null. */
export function parseId(value: unknown): number | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\d{1,10}$/.test(value.trim())) n = Number(value.trim());
  else return null;
  return Number.isInteger(n) && n >= 1 && n <= LIMITS.idMax ? n : null;
}

/** One window, by id, by uuid, or by both (which must then name the same window). */
export type WindowRef = { id: number; uuid?: string } | { id?: number; uuid: string };

export const UUID_ALIASES = ['uuid', 'config_uuid', 'browserUuid', 'browser_uuid'] as const;
export const ID_ALIASES = ['id', 'browserId', 'browser_id'] as const;

/**
 * The one window the seed's aliases in `body` name, or what is wrong with them, worded for a 211:
 * several different windows, a list where one window is expected, or no reference at all.
 */
export function parseWindowRef(
  body: Readonly<Record<string, unknown>>,
  idAliases: readonly string[] = ID_ALIASES,
  uuidAliases: readonly string[] = UUID_ALIASES,
): { ref: WindowRef } | { problem: string } {
  const uuids = new Set<string>();
  const ids = new Set<number>();
  for (const key of uuidAliases) {
    const value = body[key];
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) return { problem: `${key} takes one window; several were given` };
    if (!isUuid(value)) return { problem: `${key} must be a window UUID` };
    uuids.add(value.toLowerCase());
  }
  for (const key of idAliases) {
    const value = body[key];
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) return { problem: `${key} takes one window; several were given` };
    const id = parseId(value);
    if (id === null) return { problem: `${key} must be a positive integer` };
    ids.add(id);
  }
  if (uuids.size + ids.size === 0) return { problem: `one of ${[...uuidAliases, ...idAliases].join(', ')} is required` };
  if (uuids.size > 1 || ids.size > 1) return { problem: 'only one window per call: several ids or uuids were given' };
  const [id] = ids;
  const [uuid] = uuids;
  return { ref: id === undefined ? { uuid } : { id, uuid } };
}

/** `parseWindowRef`, with its problem thrown as a 211. */
export function resolveWindowRef(
  body: Readonly<Record<string, unknown>>,
  idAliases: readonly string[] = ID_ALIASES,
  uuidAliases: readonly string[] = UUID_ALIASES,
): WindowRef {
  const parsed = parseWindowRef(body, idAliases, uuidAliases);
  if ('problem' in parsed) throw new InvalidParamError(parsed.problem);
  return parsed.ref;
}
