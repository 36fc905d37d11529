/** An element as BiDi hands it out: by its shared id, usable in later commands (input origins, arguments). */
export class RemoteNode {
  constructor(readonly sharedId: string) {}
}

/** A window (an iframe's contentWindow): its browsing context. */
export class RemoteWindow {
  constructor(readonly context: string) {}
}

interface RemoteValue {
  type: string;
  value?: unknown;
  sharedId?: string;
}

const OBJECT_DEPTH_MAX = 32;

/**
 * A BiDi remote value as plain data: what JSON lacks is written as a reader expects it (NaN,
 * Infinity and BigInt as text, dates as ISO text, maps as objects, sets as arrays); functions,
 * promises and the like are null; nodes and windows become `RemoteNode` / `RemoteWindow`.
 */
export function fromRemote(raw: unknown, depth = 0): unknown {
  if (typeof raw !== 'object' || raw === null || depth > OBJECT_DEPTH_MAX) return null;
  const value = raw as RemoteValue;
  switch (value.type) {
    case 'string':
    case 'boolean':
      return value.value;
    case 'number':
      return typeof value.value === 'number' ? value.value : String(value.value);
    case 'bigint':
      return String(value.value);
    case 'date':
      return String(value.value);
    case 'regexp': {
      const re = value.value as { pattern: string; flags?: string };
      return `/${re.pattern}/${re.flags ?? ''}`;
    }
    case 'array':
    case 'set':
      return Array.isArray(value.value) ? value.value.map((v) => fromRemote(v, depth + 1)) : [];
    case 'object':
    case 'map': {
      const out: Record<string, unknown> = {};
      if (!Array.isArray(value.value)) return out;
      for (const pair of value.value as [unknown, unknown][]) {
        const key = typeof pair[0] === 'string' ? pair[0] : String(fromRemote(pair[0], depth + 1));
        if (key === '__proto__') continue;
        out[key] = fromRemote(pair[1], depth + 1);
      }
      return out;
    }
    case 'node':
      return value.sharedId ? new RemoteNode(value.sharedId) : null;
    case 'window':
      return new RemoteWindow((value.value as { context: string }).context);
    default:
      return null;
  }
}

/** A value for a client: nodes and windows named, never their internal ids. */
export function toPlain(value: unknown): unknown {
  if (value instanceof RemoteNode) return '[element]';
  if (value instanceof RemoteWindow) return '[window]';
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}
