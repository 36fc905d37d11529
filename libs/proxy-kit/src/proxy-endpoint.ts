import { InvalidParamError } from '@cos/contracts';

/** A proxy to connect through, credentials in the clear (only ever in memory or owner-only files). */
export interface ProxyEndpoint {
  type: 'http' | 'https' | 'socks5' | 'ssh';
  host: string;
  port: number;
  username: string;
  password: string;
}

/** Why a proxy failed; `lookup`: it carries traffic, but where it comes out could not be looked up through it. */
export type ProxyFailureReason = 'refused' | 'auth' | 'timeout' | 'tls' | 'unreachable' | 'lookup';

const REASON_TEXT: Record<ProxyFailureReason, string> = {
  refused: 'refused the connection',
  auth: 'rejected the username or password',
  timeout: 'did not answer in time',
  tls: 'presented a TLS certificate this machine does not trust',
  unreachable: 'could not be reached',
  lookup: 'carries traffic, but the IP lookup through it failed',
};

/** A proxy that cannot carry traffic: answered as 211 with the reason in `msg`. */
export class ProxyFailure extends InvalidParamError {
  constructor(
    readonly reason: ProxyFailureReason,
    endpoint: Pick<ProxyEndpoint, 'type' | 'host' | 'port'>,
    detail?: string,
  ) {
    super(`Proxy ${endpointLabel(endpoint)} ${REASON_TEXT[reason]}${detail ? ` (${detail})` : ''}`);
  }
}

/** `host:port`, an IPv6 host in brackets. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function endpointLabel(endpoint: Pick<ProxyEndpoint, 'type' | 'host' | 'port'>): string {
  return `${endpoint.type}://${hostPort(endpoint.host, endpoint.port)}`;
}

/** The endpoint as a URL with its credentials, the form proxy clients take. */
export function endpointUrl(endpoint: ProxyEndpoint, scheme: string = endpoint.type): string {
  const auth =
    endpoint.username || endpoint.password ? `${encodeURIComponent(endpoint.username)}:${encodeURIComponent(endpoint.password)}@` : '';
  return `${scheme}://${auth}${hostPort(endpoint.host, endpoint.port)}`;
}

export function hasCredentials(endpoint: ProxyEndpoint): boolean {
  return endpoint.username !== '' || endpoint.password !== '';
}

/** An ssh "password" that holds a private key (PEM or OpenSSH format) is used as the key. */
export function isPrivateKey(secret: string): boolean {
  return /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(secret.trim());
}
