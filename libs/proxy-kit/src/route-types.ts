import type { ProxyEndpoint } from './proxy-endpoint';

/** What a browser is pointed at: an HTTP proxy (the bridge, or a plain http proxy) or a SOCKS5 one. */
export interface BrowserProxy {
  type: 'http' | 'socks5';
  host: string;
  port: number;
  /** A bridge's credentials, which the window's Firefox (and no other program) is given. */
  auth?: { username: string; password: string };
}

/**
 * How one window's traffic reaches its proxy. Firefox takes no proxy credentials, no TLS to the
 * proxy and no SSH, so those go through a bridge on 127.0.0.1 that Firefox uses as a plain HTTP
 * proxy, with credentials of the bridge's own (BridgeGate); an http or socks5 proxy without
 * credentials is used as it is.
 */
export interface ProxyRoute {
  readonly endpoint: ProxyEndpoint;
  readonly browser: BrowserProxy;
  /** The same route as a URL for Node clients (IP lookups, probes); socks5h resolves names at the proxy. */
  readonly clientUrl: string;
  /** Set when the route runs a bridge on 127.0.0.1 (its port is `browser.port`). */
  readonly bridged: boolean;
  /** The browser can now answer the bridge's challenge (see BridgeGate). */
  challenge(): void;
  close(): Promise<void>;
}

export interface RouteOptions {
  /** Bound on connecting and authenticating to the proxy. */
  timeoutMs: number;
  /** Extra certificate authorities (PEM) trusted for https proxies, beside the public ones. */
  ca?: string;
  /** Listen on this port (0 or unset: any free one). */
  port?: number;
}
