import { rootCertificates } from 'node:tls';
import https from 'node:https';
import { RequestError, Server } from 'proxy-chain';
import { BridgeGate } from './bridge-gate';
import { endpointUrl, hasCredentials, ProxyEndpoint } from './proxy-endpoint';
import type { ProxyRoute, RouteOptions } from './route-types';
import { openSshBridge } from './ssh-bridge';

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
