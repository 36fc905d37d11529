import http from 'node:http';
import { SocksClient } from 'socks';
import { hostPort, ProxyFailure } from './proxy-endpoint';
import type { ProxyRoute } from './route-types';

export interface ProbeTarget {
  host: string;
  port: number;
}

/**
 * Proves the proxy carries traffic before a window depends on it: a CONNECT (or SOCKS connect)
 * to `target` through the route. A proxy that refuses, rejects the credentials or stays silent
 * fails with a ProxyFailure within `timeoutMs`; a target the proxy cannot reach is not the
 * proxy's fault and passes.
 */
export async function probeRoute(route: ProxyRoute, target: ProbeTarget, timeoutMs: number): Promise<void> {
  if (route.browser.type === 'socks5') return probeSocks(route, target, timeoutMs);
  return probeConnect(route, target, timeoutMs);
}

async function probeSocks(route: ProxyRoute, target: ProbeTarget, timeoutMs: number): Promise<void> {
  try {
    const { socket } = await SocksClient.createConnection({
      proxy: { host: route.browser.host, port: route.browser.port, type: 5 },
      command: 'connect',
      destination: target,
      timeout: timeoutMs,
    });
    socket.destroy();
  } catch (error) {
    const message = (error as Error).message;
    if (/rejected connection/i.test(message)) return;
    if (/authentication/i.test(message)) throw new ProxyFailure('auth', route.endpoint);
    if (/ECONNREFUSED/.test(message)) throw new ProxyFailure('refused', route.endpoint);
    if (/timed out/i.test(message)) throw new ProxyFailure('timeout', route.endpoint);
    throw new ProxyFailure('unreachable', route.endpoint, message);
  }
}

/** The status a CONNECT through the route answered, read as the proxy's health. */
function failureOf(route: ProxyRoute, status: number, statusMessage: string): ProxyFailure | null {
  if (status >= 200 && status < 300) return null;
  if (status === 407) return new ProxyFailure('auth', route.endpoint);
  // A proxy used as it is answers in its own words: anything but 407 means it is up.
  if (!route.bridged) return null;
  if (status === 597 || /UPSTREAM407/.test(statusMessage)) return new ProxyFailure('auth', route.endpoint);
  if (status === 594) return new ProxyFailure('refused', route.endpoint);
  if (status === 504) return new ProxyFailure('timeout', route.endpoint);
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(statusMessage)) return new ProxyFailure('tls', route.endpoint, statusMessage);
  if (status === 599) {
    // proxy-chain's answer for SOCKS upstream errors: the message tells the proxy's own failures apart.
    if (/rejected connection/i.test(statusMessage)) return null;
    if (/ECONNREFUSED/.test(statusMessage)) return new ProxyFailure('refused', route.endpoint);
    if (/timed out/i.test(statusMessage)) return new ProxyFailure('timeout', route.endpoint);
    return new ProxyFailure('unreachable', route.endpoint, statusMessage);
  }
  if (status === 593 || status === 595 || status === 596) return new ProxyFailure('unreachable', route.endpoint, statusMessage);
  // Anything else came from a proxy that answered: the target, not the proxy, failed.
  return null;
}

function probeConnect(route: ProxyRoute, target: ProbeTarget, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const request = http.request({
      host: route.browser.host,
      port: route.browser.port,
      method: 'CONNECT',
      path: hostPort(target.host, target.port),
      agent: false,
      ...(route.browser.auth
        ? {
            headers: {
              'Proxy-Authorization': `Basic ${Buffer.from(`${route.browser.auth.username}:${route.browser.auth.password}`).toString('base64')}`,
            },
          }
        : {}),
    });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new ProxyFailure('timeout', route.endpoint));
    }, timeoutMs);
    const settle = (failure: ProxyFailure | null) => {
      clearTimeout(timer);
      if (failure) reject(failure);
      else resolve();
    };
    request.on('connect', (response, socket) => {
      socket.destroy();
      settle(failureOf(route, response.statusCode ?? 0, response.statusMessage ?? ''));
    });
    request.on('response', (response) => {
      response.resume();
      settle(failureOf(route, response.statusCode ?? 0, response.statusMessage ?? ''));
    });
    request.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ECONNREFUSED') settle(new ProxyFailure('refused', route.endpoint));
      else settle(new ProxyFailure('unreachable', route.endpoint, error.message));
    });
    request.end();
  });
}
