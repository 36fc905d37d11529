import { InvalidParamError } from '@cos/contracts';
import type { ProxyEndpoint } from './proxy-endpoint';

type ExtractedType = ProxyEndpoint['type'];
const URL_TYPES: Record<string, ExtractedType> = { http: 'http', https: 'https', socks5: 'socks5', socks5h: 'socks5', socks: 'socks5' };

function validPort(value: unknown): number | null {
  const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null;
}

function fromLine(line: string, type: ExtractedType): ProxyEndpoint | null {
  const text = line.trim();
  if (!text) return null;
  const scheme = /^([a-z0-9]+):\/\//i.exec(text);
  if (scheme) {
    const kind = URL_TYPES[scheme[1].toLowerCase()];
    if (!kind) return null;
    try {
      const url = new URL(text);
      const port = validPort(url.port);
      if (!url.hostname || !port) return null;
      return {
        type: kind,
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port,
        username: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
      };
    } catch {
      return null;
    }
  }
  // host:port or host:port:user:pass (the password may itself hold colons)
  const [host, portText, username = '', ...password] = text.split(':');
  const port = validPort(portText);
  if (!host || !port) return null;
  return { type, host, port, username, password: password.join(':') };
}

function fromObject(value: unknown, type: ExtractedType): ProxyEndpoint | null {
  if (typeof value !== 'object' || value === null) return typeof value === 'string' ? fromLine(value, type) : null;
  const item = value as Record<string, unknown>;
  const host = [item.ip, item.host, item.server, item.proxy_ip].find((v) => typeof v === 'string' && v) as string | undefined;
  const port = validPort(item.port ?? item.proxy_port);
  if (!host) return null;
  if (!port) return fromLine(host, type);
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    type,
    host,
    port,
    username: text(item.user ?? item.username ?? item.account),
    password: text(item.pass ?? item.password ?? item.pwd),
  };
}

function fromJson(body: unknown, type: ExtractedType): ProxyEndpoint | null {
  const candidates: unknown[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) candidates.push(...(value as unknown[]));
    else if (typeof value === 'object' && value !== null) {
      const obj = value as Record<string, unknown>;
      if (obj.data !== undefined || obj.list !== undefined || obj.proxies !== undefined) visit(obj.data ?? obj.list ?? obj.proxies);
      else candidates.push(obj);
    } else candidates.push(value);
  };
  visit(body);
  for (const candidate of candidates) {
    const endpoint = fromObject(candidate, type);
    if (endpoint) return endpoint;
  }
  return null;
}

/**
 * The first proxy in an extraction API's answer: `host:port[:user:pass]` lines, proxy URLs, or
 * JSON (an array, or `{data|list|proxies: [...]}`, of `{ip|host, port, user|username, pass|password}`).
 * `type` is the window's proxyType, used where the answer names none.
 */
export function parseExtraction(text: string, type: ExtractedType): ProxyEndpoint {
  const trimmed = text.trim();
  let endpoint: ProxyEndpoint | null = null;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      endpoint = fromJson(JSON.parse(trimmed), type);
    } catch {
      endpoint = null;
    }
  } else {
    for (const line of trimmed.split(/\r?\n/)) {
      endpoint = fromLine(line, type);
      if (endpoint) break;
    }
  }
  if (!endpoint)
    throw new InvalidParamError(`dynamicIpUrl answered no proxy (expected host:port[:user:pass] lines or JSON): ${trimmed.slice(0, 120)}`);
  return endpoint;
}

/** Fetches the extraction API (directly, not through any proxy), bounded by `timeoutMs`. */
export async function fetchExtraction(url: string, type: ExtractedType, timeoutMs: number): Promise<ProxyEndpoint> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `did not answer within ${timeoutMs} ms` : (error as Error).message;
    throw new InvalidParamError(`dynamicIpUrl could not be fetched: ${reason}`);
  }
  const body = await response.text();
  if (!response.ok) throw new InvalidParamError(`dynamicIpUrl answered HTTP ${response.status}`);
  return parseExtraction(body, type);
}

/** Calls a provider's refresh URL (which rotates the exit IP), bounded by `timeoutMs`. */
export async function callRefreshUrl(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `did not answer within ${timeoutMs} ms` : (error as Error).message;
    throw new InvalidParamError(`refreshProxyUrl could not be called: ${reason}`);
  }
  const body = (await response.text()).slice(0, 1000);
  if (!response.ok) throw new InvalidParamError(`refreshProxyUrl answered HTTP ${response.status}`);
  return { status: response.status, body };
}
