import type { Named, WindowRow } from './window-changes';

/** A saved team proxy as the menus name it. */
export interface SavedProxyName extends Named {
  proxyType: string;
  host: string;
  port: number;
}

export const savedProxyLabel = (p: SavedProxyName) => `${p.name} (${p.proxyType} ${p.host}:${p.port})`;

/** What the proxy column says of a window's proxy, by its method; a saved proxy by its name. */
export function proxyText(w: WindowRow, saved: SavedProxyName[] | undefined): string {
  if (w.proxyMethod === 4) {
    const proxy = saved?.find((p) => p.id === w.proxyId);
    return proxy ? savedProxyLabel(proxy) : 'Saved proxy';
  }
  if (w.proxyMethod === 3) return `API extraction (${w.proxyType})`;
  return w.host ? `${w.proxyType} ${w.host}:${w.port ?? ''}` : 'No proxy';
}
