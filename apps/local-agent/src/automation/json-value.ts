import { Script } from 'node:vm';
import { PageActionError } from '@cos/contracts';

const AsyncFunction = (Object.getPrototypeOf(async function () {}) as { constructor: new (body: string) => unknown }).constructor;

function parses(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

/**
 * The script the page runs for `code`. A plain script runs as it is (its completion value comes
 * back, a promise awaited). Code that awaits at its top level, which a script may not, runs in an
 * async function: as an expression when it is one, else as the function's body, where `return`
 * gives the value. Only parsed here, never run; the page reports its own syntax errors.
 */
export function pageScript(code: string): string {
  if (parses(() => new Script(code))) return code;
  if (parses(() => new AsyncFunction(`return (\n${code}\n)`))) return `(async () => (\n${code}\n))()`;
  if (parses(() => new AsyncFunction(code))) return `(async () => {\n${code}\n})()`;
  return code;
}

/** The most a script's value may weigh once turned into JSON. */
export const VALUE_MAX_BYTES = 8 * 1024 * 1024;

function convert(value: unknown, seen: Set<unknown>): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (value instanceof RegExp) return String(value);
    if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), convert(v, seen)]));
    if (value instanceof Set) return [...value].map((v) => convert(v, seen));
    if (Array.isArray(value)) return value.map((v) => convert(v, seen));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, seen)]));
  } finally {
    seen.delete(value);
  }
}

/**
 * A page's value as JSON: what JSON lacks is written the way a reader expects (undefined → null,
 * NaN/Infinity and BigInt as text, Map → object, Set → array, Date → ISO text). Values the
 * browser does not hand out (DOM nodes, functions, windows) arrive as null.
 */
export function toJsonValue(value: unknown): { value: unknown; type: string } {
  const converted = convert(value, new Set());
  const size = Buffer.byteLength(JSON.stringify(converted) ?? 'null');
  if (size > VALUE_MAX_BYTES) throw new PageActionError(`The script's value is ${size} bytes as JSON, more than ${VALUE_MAX_BYTES}`);
  const type =
    value === null ? 'null' : Array.isArray(value) ? 'array' : value instanceof Map ? 'map' : value instanceof Set ? 'set' : typeof value;
  return { value: converted, type };
}
