import http from 'node:http';
import https from 'node:https';
import { ProxyAgent } from 'proxy-agent';
import type { IP_CHECK_SERVICE_NAMES } from '@cos/contracts';
import { ProxyFailure } from './proxy-endpoint';
import type { ProxyRoute } from './route-types';

/** Where a route's traffic leaves the internet, as an IP lookup service sees it. */
export interface ExitInfo {
  ip: string;
  country: string;
  timezone: string;
}

/** `ipCheckService` names and the lookup each one answers from. */
export const IP_CHECK_SERVICES: Record<Exclude<(typeof IP_CHECK_SERVICE_NAMES)[number], ''>, string> = {
  'ip-api': 'http://ip-api.com/json/?fields=status,message,query,countryCode,timezone',
  ipinfo: 'https://ipinfo.io/json',
};
export const DEFAULT_IP_CHECK_SERVICE: keyof typeof IP_CHECK_SERVICES = 'ip-api';

/** The lookup URL for a service name; `override` (configuration) replaces every service's URL. */
export function ipCheckUrl(service: string, override?: string): string {
  if (override) return override;
  return IP_CHECK_SERVICES[service as keyof typeof IP_CHECK_SERVICES] ?? IP_CHECK_SERVICES[DEFAULT_IP_CHECK_SERVICE];
}

function pick(body: Record<string, unknown>, ...keys: string[]): string {
  for (const key of keys) {
    const value = body[key];
    if (typeof value === 'string' && value) return value;
  }
  return '';
}

/** Reads the answer shapes of ip-api.com and ipinfo.io (and services that answer alike). */
export function parseExitInfo(text: string): ExitInfo {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error('IP lookup answered something other than JSON');
  }
  if (body.status === 'fail') throw new Error(`IP lookup failed: ${pick(body, 'message') || 'no reason given'}`);
  const info = {
    ip: pick(body, 'query', 'ip'),
    country: pick(body, 'countryCode', 'country_code', 'country').toUpperCase(),
    timezone: pick(body, 'timezone', 'time_zone'),
  };
  if (!info.ip) throw new Error('IP lookup answered no IP address');
  return info;
}

/** Fetches `url` through the route (or directly when `route` is null), bounded by `timeoutMs`. */
export function lookupExit(route: ProxyRoute | null, url: string, timeoutMs: number): Promise<ExitInfo> {
  const agent = route ? new ProxyAgent({ getProxyForUrl: () => route.clientUrl }) : undefined;
  const client = url.startsWith('https:') ? https : http;
  return new Promise<ExitInfo>((resolve, reject) => {
    const fail = (error: Error) => reject(route ? new ProxyFailure('lookup', route.endpoint, error.message) : error);
    const request = client.get(url, { agent, timeout: timeoutMs, headers: { accept: 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        if ((response.statusCode ?? 0) >= 400) return fail(new Error(`lookup answered HTTP ${response.statusCode}`));
        try {
          resolve(parseExitInfo(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          fail(error as Error);
        }
      });
      response.on('error', fail);
    });
    request.on('timeout', () => request.destroy(new Error('lookup timed out')));
    request.on('error', fail);
  }).finally(() => agent?.destroy());
}

/**
 * The language a country's people most likely use, as a BCP 47 tag (DE → de-DE, BR → pt-BR),
 * from the CLDR likely-subtags data Intl carries.
 */
export function languageOfCountry(country: string): string | null {
  if (!/^[A-Z]{2}$/.test(country)) return null;
  try {
    const likely = new Intl.Locale(`und-${country}`).maximize();
    return likely.language && likely.language !== 'und' ? `${likely.language}-${country}` : null;
  } catch {
    return null;
  }
}
