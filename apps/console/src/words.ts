import { permissionLabel } from '@cos/contracts/permissions';

/** "1 window", "3 windows"; an irregular noun names its plural ("1 proxy", "2 proxies"). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** Names as a sentence names them: "a", "a and b", "a, b and c", past `max` "a, b, c and 4 more". */
export function namesList(names: readonly string[], max = 5): string {
  if (names.length <= 1) return names.join('');
  if (names.length > max) return `${names.slice(0, max).join(', ')} and ${(names.length - max).toLocaleString('en')} more`;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** A detail's name as words ("retentionDays" → "retention days"). */
export const detailName = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A detail's value as text: lists joined, nested values as "name: value", never raw JSON. The
 * field's name says how to read it: `permissions` by their labels, and only a field named as an
 * instant (`expiresAt`) in the reader's time (a name a teammate typed like a date stays as typed).
 */
export function detailText(value: unknown, key = ''): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length ? value.map((v) => detailText(v, key)).join(', ') : 'none';
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length ? entries.map(([k, v]) => `${detailName(k)}: ${detailText(v, k)}`).join('; ') : 'none';
  }
  if (typeof value === 'string') {
    if (key === 'permissions') return permissionLabel(value);
    const instant = key.endsWith('At') && ISO_INSTANT.test(value) ? Date.parse(value) : NaN;
    return Number.isNaN(instant) ? value : new Date(instant).toLocaleString();
  }
  return typeof value === 'number' || typeof value === 'bigint' ? value.toString() : '';
}
