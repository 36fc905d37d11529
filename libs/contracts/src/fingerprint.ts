/**
 * `browserFingerPrint` fields the agent understands. Other keys are kept as they are and ignored.
 */
export interface BrowserFingerprint {
  coreVersion?: string;
  ostype?: string;
  os?: string;
  userAgent?: string;
  platform?: string;
  languages?: string[];
  timezone?: string;
  resolution?: string;
  hardwareConcurrency?: number;
  webrtc?: WebRtcPolicy;
  doNotTrack?: boolean;
  /** Take the timezone from the exit IP of the window's proxy (found by the IP check at open). */
  timezoneFromIp?: boolean;
  /** Take the languages from the exit IP's country (its most likely language, e.g. DE → de-DE). */
  languagesFromIp?: boolean;
  [other: string]: unknown;
}

export const WEBRTC_POLICIES = ['disabled', 'proxy-only', 'real'] as const;
export type WebRtcPolicy = (typeof WEBRTC_POLICIES)[number];

/** Sync settings inside `config`; every one defaults to true. */
export const SYNC_KEYS = [
  'syncCookies',
  'syncLocalStorage',
  'syncIndexedDB',
  'syncHistory',
  'syncBookmarks',
  'syncPasswords',
  'syncExtensions',
] as const;
export type SyncKey = (typeof SYNC_KEYS)[number];
export type SyncSettings = Record<SyncKey, boolean>;

export interface WindowConfig {
  syncCookies?: boolean;
  syncLocalStorage?: boolean;
  syncIndexedDB?: boolean;
  syncHistory?: boolean;
  syncBookmarks?: boolean;
  syncPasswords?: boolean;
  syncExtensions?: boolean;
  [other: string]: unknown;
}

export function syncSettingsOf(config: WindowConfig | null | undefined): SyncSettings {
  const settings = {} as SyncSettings;
  for (const key of SYNC_KEYS) settings[key] = config?.[key] !== false;
  return settings;
}

const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const RESOLUTION = /^(\d{3,5})x(\d{3,5})$/;
const SHORT_TEXT_MAX = 512;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isValidTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function checkShortText(obj: Record<string, unknown>, key: string, path: string): string | null {
  const value = obj[key];
  if (value === undefined) return null;
  if (typeof value !== 'string') return `${path}.${key} must be a string`;
  if (value.length > SHORT_TEXT_MAX) return `${path}.${key} must be at most ${SHORT_TEXT_MAX} characters`;
  return null;
}

/** Returns a message naming the first bad field, or null when the fingerprint is acceptable. */
export function fingerprintProblem(value: unknown, path = 'browserFingerPrint'): string | null {
  if (!isPlainObject(value)) return `${path} must be a JSON object`;
  if (JSON.stringify(value).length > 64 * 1024) return `${path} must be at most 64 KB`;
  for (const key of ['coreVersion', 'ostype', 'os', 'userAgent', 'platform']) {
    const problem = checkShortText(value, key, path);
    if (problem) return problem;
  }
  if (value.coreVersion !== undefined && !/^\d{1,4}(\.\d+)*$/.test(value.coreVersion as string)) {
    return `${path}.coreVersion must be a version number such as "118"`;
  }
  const { languages, timezone, resolution, hardwareConcurrency, webrtc } = value;
  if (languages !== undefined) {
    if (!Array.isArray(languages) || languages.length === 0 || languages.length > 20) {
      return `${path}.languages must be an array of 1 to 20 language tags`;
    }
    const bad = (languages as unknown[]).find((tag) => typeof tag !== 'string' || !LANGUAGE_TAG.test(tag));
    if (bad !== undefined) return `${path}.languages has an invalid language tag: ${JSON.stringify(bad)}`;
  }
  if (timezone !== undefined && (typeof timezone !== 'string' || !isValidTimezone(timezone))) {
    return `${path}.timezone must be an IANA time zone name such as "Europe/Berlin"`;
  }
  if (resolution !== undefined) {
    const match = typeof resolution === 'string' ? RESOLUTION.exec(resolution) : null;
    if (!match || +match[1] < 320 || +match[2] < 240 || +match[1] > 16384 || +match[2] > 16384) {
      return `${path}.resolution must look like "1920x1080"`;
    }
  }
  if (
    hardwareConcurrency !== undefined &&
    (!Number.isInteger(hardwareConcurrency) || (hardwareConcurrency as number) < 1 || (hardwareConcurrency as number) > 256)
  ) {
    return `${path}.hardwareConcurrency must be an integer from 1 to 256`;
  }
  if (webrtc !== undefined && !(WEBRTC_POLICIES as readonly unknown[]).includes(webrtc)) {
    return `${path}.webrtc must be one of ${WEBRTC_POLICIES.join(', ')}`;
  }
  for (const key of ['doNotTrack', 'timezoneFromIp', 'languagesFromIp']) {
    if (value[key] !== undefined && typeof value[key] !== 'boolean') return `${path}.${key} must be a boolean`;
  }
  return null;
}

export function configProblem(value: unknown, path = 'config'): string | null {
  if (!isPlainObject(value)) return `${path} must be a JSON object`;
  if (JSON.stringify(value).length > 64 * 1024) return `${path} must be at most 64 KB`;
  for (const key of SYNC_KEYS) {
    if (value[key] !== undefined && typeof value[key] !== 'boolean') return `${path}.${key} must be a boolean`;
  }
  return null;
}
