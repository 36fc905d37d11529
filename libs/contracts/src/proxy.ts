export const PROXY_METHODS = [2, 3, 4] as const;
export type ProxyMethod = (typeof PROXY_METHODS)[number];

export const PROXY_TYPES = ['direct', 'http', 'https', 'socks5', 'ssh'] as const;
export type ProxyType = (typeof PROXY_TYPES)[number];

/** A saved team proxy always names a real proxy: no `direct`. */
export const SAVED_PROXY_TYPES = ['http', 'https', 'socks5', 'ssh'] as const;
export type SavedProxyType = (typeof SAVED_PROXY_TYPES)[number];

/** `ipCheckService` values; empty means no IP check unless the fingerprint follows the exit IP. */
export const IP_CHECK_SERVICE_NAMES = ['', 'ip-api', 'ipinfo'] as const;

/** Proxy settings as the cloud stores them and list/detail return them (password masked). */
export interface ProxySettings {
  proxyMethod: ProxyMethod;
  proxyType: ProxyType;
  host: string;
  port: number | null;
  proxyUserName: string;
  proxyPassword: string;
  hasProxyPassword: boolean;
  dynamicIpUrl: string;
  dynamicIpChannel: string;
  isDynamicIpChangeIp: boolean;
  refreshProxyUrl: string;
  ipCheckService: string;
  enableSocks5Udp: boolean;
  proxyId: number | null;
}

export const PROXY_FIELDS = [
  'proxyMethod',
  'proxyType',
  'host',
  'port',
  'proxyUserName',
  'proxyPassword',
  'hasProxyPassword',
  'dynamicIpUrl',
  'dynamicIpChannel',
  'isDynamicIpChangeIp',
  'refreshProxyUrl',
  'ipCheckService',
  'enableSocks5Udp',
  'proxyId',
] as const satisfies readonly (keyof ProxySettings)[];

export function pickProxySettings(source: ProxySettings): ProxySettings {
  return Object.fromEntries(PROXY_FIELDS.map((key) => [key, source[key]])) as unknown as ProxySettings;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const NAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;

/**
 * Whether `host` is where a proxy can be: a host name (letters, digits, `-` and `_` in dot-separated
 * labels), an IPv4 address, or an IPv6 address bare or in brackets. A name of digits and dots only
 * must be an IPv4 address (`999.999.999.999` and `0` are none). The one rule every way of giving a
 * proxy checks (`/proxy/add`, a window's own proxy, a pasted list, an import).
 */
export function isProxyHost(host: string): boolean {
  if (IPV4.test(host)) return true;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIpv6(bare)) return true;
  return bare === host && NAME.test(host) && !/^[\d.]+$/.test(host);
}

/** An IPv6 address as text: up to 8 groups of 1-4 hex digits (one `::` for a run of zeros), the last two may be an IPv4 address. */
function isIpv6(text: string): boolean {
  if (text.length > 45 || !text.includes(':') || text.split('::').length > 2) return false;
  const groups = text.split(':');
  const last = groups[groups.length - 1];
  const v4 = last.includes('.');
  if (v4 && !IPV4.test(last)) return false;
  const hex = v4 ? groups.slice(0, -1) : groups;
  const compressed = text.includes('::');
  const count = hex.filter((g) => g !== '').length + (v4 ? 2 : 0);
  if (!hex.every((g) => g === '' || /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  // Empty groups come only from the one `::` (two at the start or end of it, as in `::1`).
  const empties = hex.filter((g) => g === '').length;
  if (!compressed && empties > 0) return false;
  if (compressed && empties > (text === '::' ? 3 : 2)) return false;
  return compressed ? count < 8 : count === 8;
}
