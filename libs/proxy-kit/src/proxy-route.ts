import { rootCertificates } from 'node:tls';
import https from 'node:https';
import { RequestError, Server } from 'proxy-chain';
import { BridgeGate } from './bridge-gate';
import { endpointUrl, hasCredentials, ProxyEndpoint } from './proxy-endpoint';
import { openSshBridge } from './ssh-bridge';

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

export function needsBridge(endpoint: ProxyEndpoint): boolean {
  return endpoint.type === 'https' || endpoint.type === 'ssh' || hasCredentials(endpoint);
}

export async function openProxyRoute(endpoint: ProxyEndpoint, options: RouteOptions): Promise<ProxyRoute> {
  if (endpoint.type === 'ssh') return openSshBridge(endpoint, options);
  if (!needsBridge(endpoint)) {
    const type = endpoint.type === 'socks5' ? 'socks5' : 'http';
    return {
      endpoint,
      browser: { type, host: endpoint.host, port: endpoint.port },
      clientUrl: endpointUrl(endpoint, type === 'socks5' ? 'socks5h' : 'http'),
      bridged: false,
      challenge: () => undefined,
      close: () => Promise.resolve(),
    };
  }
  return openChainBridge(endpoint, options);
}

/** An http, https or socks5 upstream with credentials behind a proxy-chain server on 127.0.0.1. */
async function openChainBridge(endpoint: ProxyEndpoint, options: RouteOptions): Promise<ProxyRoute> {
  // socks5h: names resolve at the proxy for plain requests too, not only for CONNECT
  const upstreamProxyUrl = endpointUrl(endpoint, endpoint.type === 'socks5' ? 'socks5h' : endpoint.type);
  const httpsAgent = endpoint.type === 'https' && options.ca ? new https.Agent({ ca: [...rootCertificates, options.ca] }) : undefined;
  const gate = new BridgeGate();
  const server = new Server({
    host: '127.0.0.1',
    port: options.port ?? 0,
    verbose: false,
    prepareRequestFunction: ({ username, password }) => {
      if (!gate.accepts(username, password)) {
        const refusal = gate.refusal();
        throw new RequestError('This bridge carries one window only', refusal.status, refusal.headers);
      }
      return { upstreamProxyUrl, httpsAgent };
    },
  });
  // Failed upstream connections are answered to the browser with a status; nothing to log here.
  server.on('requestFailed', () => undefined);
  await server.listen();
  let closed: Promise<void> | null = null;
  return {
    endpoint,
    browser: { type: 'http', host: '127.0.0.1', port: server.port, auth: { username: gate.username, password: gate.password } },
    clientUrl: `http://${gate.username}:${gate.password}@127.0.0.1:${server.port}`,
    bridged: true,
    challenge: () => gate.challenge(),
    close: () => (closed ??= server.close(true).then(() => httpsAgent?.destroy())),
  };
}
