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
