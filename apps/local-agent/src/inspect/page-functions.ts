/**
 * Small functions the inspection runs in a frame's BiDi sandbox realm (native DOM through Xray
 * wrappers). Each is self-contained: serialised with toString(), it refers to nothing outside.
 */

export type StorageOp =
  | { op: 'get'; key?: string; max: number }
  | { op: 'set'; entries: Record<string, string> }
  | { op: 'delete'; keys: string[] }
  | { op: 'clear' };

/** localStorage or sessionStorage of the frame's origin. */
export function storageCall(kind: 'local' | 'session', action: StorageOp): Record<string, unknown> {
  let store: Storage;
  try {
    store = kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return { error: 'no storage', origin: location.origin };
  }
  const origin = location.origin;
  switch (action.op) {
    case 'get': {
      if (action.key !== undefined) return { origin, value: store.getItem(action.key) };
      const entries: Record<string, string> = {};
      let size = 0;
      let truncated = false;
      for (let i = 0; i < store.length; i++) {
        const key = store.key(i)!;
        const value = store.getItem(key) ?? '';
        size += key.length + value.length;
        if (size > action.max) {
          truncated = true;
          break;
        }
        entries[key] = value;
      }
      return { origin, entries, count: store.length, truncated };
    }
    case 'set':
      try {
        for (const [key, value] of Object.entries(action.entries)) store.setItem(key, value);
      } catch (error) {
        return { error: `the browser refused: ${(error as Error).message}`, origin };
      }
      return { origin, count: store.length };
    case 'delete': {
      const present = action.keys.filter((k) => store.getItem(k) !== null);
      for (const key of action.keys) store.removeItem(key);
      return { origin, deleted: present.length, count: store.length };
    }
    case 'clear': {
      const cleared = store.length;
      store.clear();
      return { origin, cleared };
    }
  }
}

/** Whether the frame's rendered text contains `text`. */
export function hasText(text: string): boolean {
  return (document.body?.innerText ?? document.documentElement?.textContent ?? '').includes(text);
}

export function pageTitle(): { title: string; url: string; origin: string } {
  return { title: document.title, url: location.href, origin: location.origin };
}
