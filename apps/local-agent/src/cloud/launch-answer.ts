import { COOKIES_MAX, OPEN_STATUSES, PROXY_METHODS, PROXY_TYPES, ResultCode, SHA256_HEX, sortCookies, SYNC_KEYS } from '@cos/contracts';
import type { LaunchPayload, StoredCookie } from '@cos/contracts';
import { CloudAnswerError } from './agent-cloud';

/** The open status of an answer as the agent passes it on; `unknown` for anything else. */
export interface StatusAnswer {
  openStatus: LaunchPayload['before']['openStatus'] | 'unknown';
  openDeviceId: string | null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown, min = 0): value is number => Number.isSafeInteger(value) && (value as number) >= min;
const PROXY_TEXT = ['host', 'proxyUserName', 'proxyPassword', 'dynamicIpUrl', 'dynamicIpChannel', 'refreshProxyUrl', 'ipCheckService'];

/** An open status from the cloud, or `unknown` when it is none. */
export function statusOf(value: unknown): StatusAnswer {
  if (!isObject(value) || !(OPEN_STATUSES as readonly unknown[]).includes(value.openStatus))
    return { openStatus: 'unknown', openDeviceId: null };
  const device = value.openDeviceId;
  return {
    openStatus: value.openStatus as StatusAnswer['openStatus'],
    openDeviceId: typeof device === 'string' && device.length <= 100 ? device : null,
  };
}

/**
 * The cloud's answer to `/browser/launch`, taken only as the window asked for and in the shapes
 * the open uses (the cloud is a boundary: a wrong field refuses the open, naming it, before any
 * folder is named or Firefox started). Cookies that no window can store are left out.
 */
export function checkLaunchAnswer(answer: unknown, ref: { uuid: string; id?: number }): { launch: LaunchPayload; refusedCookies: number } {
  const refuse = (field: string): never => {
    throw new CloudAnswerError(ResultCode.Unavailable, `The cloud's answer to the launch of window ${ref.uuid} has a bad ${field}`);
  };
  if (!isObject(answer) || !isObject(answer.window)) return refuse('window');
  const window = answer.window;
  if (window.uuid !== ref.uuid || !isCount(window.id, 1) || (ref.id !== undefined && window.id !== ref.id))
    return refuse('window (another window)');
  if (window.browserFingerPrint !== undefined && !isObject(window.browserFingerPrint)) return refuse('window.browserFingerPrint');
  const proxy = answer.proxy;
  if (!isObject(proxy) || !(PROXY_METHODS as readonly unknown[]).includes(proxy.proxyMethod)) return refuse('proxy.proxyMethod');
  if (!(PROXY_TYPES as readonly unknown[]).includes(proxy.proxyType)) return refuse('proxy.proxyType');
  for (const key of PROXY_TEXT) if (proxy[key] !== undefined && typeof proxy[key] !== 'string') refuse(`proxy.${key}`);
  if (proxy.port !== null && proxy.port !== undefined && !(isCount(proxy.port, 1) && proxy.port <= 65535)) refuse('proxy.port');
  if (!isObject(answer.sync) || SYNC_KEYS.some((key) => typeof (answer.sync as Record<string, unknown>)[key] !== 'boolean')) refuse('sync');
  if (!Array.isArray(answer.cookies) || answer.cookies.length > COOKIES_MAX) refuse('cookies');
  if (!(answer.cookies as unknown[]).every(isObject)) refuse('cookies');
  if (!isCount(answer.cookiesEpoch)) refuse('cookiesEpoch');
  const profile = answer.profile;
  if (
    profile !== null &&
    !(isObject(profile) && typeof profile.zipName === 'string' && isCount(profile.zipSize) && SHA256_HEX.test(String(profile.sha256)))
  ) {
    refuse('profile');
  }
  if (answer.profileVersion !== null && !isCount(answer.profileVersion, 1)) refuse('profileVersion');
  // The lease is renewed every third of it: a few seconds to a day, as the cloud allows.
  if (!isCount(answer.leaseSeconds, 3) || answer.leaseSeconds > 86_400) refuse('leaseSeconds');
  const { valid, refused } = sortCookies(answer.cookies as StoredCookie[]);
  const launch = { ...(answer as unknown as LaunchPayload), cookies: valid, before: statusOf(answer.before) as LaunchPayload['before'] };
  return { launch, refusedCookies: refused.length };
}
