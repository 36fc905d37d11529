import { fontsProblem } from './firefox-fonts';
import { MIN_SCREEN, osFamilyOf, OS_PROFILES, OsFamily, readUserAgent, uiLocaleFor, UI_LOCALES, webglProblem } from './firefox-os';

/**
 * `browserFingerPrint`: every field is applied to the window's Firefox or refused; none is stored
 * and ignored. Canvas, WebGL, audio and client-rect readings are made the window's own by noise
 * seeded from `noiseSeed` (the window's uuid when absent).
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
  webglVendor?: string;
  webglRenderer?: string;
  /** Optional font families the window shows besides its OS's own (see `OPTIONAL_FONTS`). */
  fonts?: string[];
  /** Hex seed of the window's canvas, WebGL, audio and client-rect noise. */
  noiseSeed?: string;
}

export const FINGERPRINT_KEYS = [
  'coreVersion',
  'ostype',
  'os',
  'userAgent',
  'platform',
  'languages',
  'timezone',
  'resolution',
  'hardwareConcurrency',
  'webrtc',
  'doNotTrack',
  'timezoneFromIp',
  'languagesFromIp',
  'webglVendor',
  'webglRenderer',
  'fonts',
  'noiseSeed',
] as const;

/** Keys other products use that Firefox cannot make true, with the reason given back. */
const REFUSED_KEYS: Record<string, string> = {
  deviceMemory: 'Firefox has no navigator.deviceMemory',
  userAgentData: 'Firefox has no navigator.userAgentData',
};

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

/** The OS a fingerprint claims through its user agent, os or platform (in that order), if any. */
export function claimedOs(fp: BrowserFingerprint): OsFamily | null {
  const ua = fp.userAgent ? readUserAgent(fp.userAgent) : null;
  if (ua?.engine === 'firefox') return ua.os;
  return osFamilyOf(fp.os) ?? osFamilyOf(fp.platform);
}

function identityProblem(value: Record<string, unknown>, path: string): string | null {
  const fp = value as BrowserFingerprint;
  if (fp.ostype !== undefined && fp.ostype.toUpperCase() !== 'PC') {
    return `${path}.ostype must be PC: a desktop Firefox cannot show a phone's touch screen and pointer`;
  }
  const fromOs = osFamilyOf(fp.os);
  if (fp.os !== undefined && !fromOs) return `${path}.os must be Win32, MacIntel or Linux x86_64`;
  const platforms = Object.values(OS_PROFILES).map((p) => p.platform);
  if (fp.platform !== undefined && !platforms.includes(fp.platform)) return `${path}.platform must be one of ${platforms.join(', ')}`;
  const fromPlatform = osFamilyOf(fp.platform);
  if (fromOs && fromPlatform && fromOs !== fromPlatform) return `${path}.platform ${fp.platform} is not the platform of os ${fp.os}`;
  if (fp.userAgent !== undefined) {
    const ua = readUserAgent(fp.userAgent);
    if (ua.engine === 'firefox-other') return `${path}.userAgent cannot be made true: ${ua.why}`;
    if (ua.engine !== 'firefox') {
      return `${path}.userAgent is a ${ua.engine} user agent; windows are Firefox, whose engine a page can always see, so only Firefox user agents can be made true`;
    }
    const other = fromOs ?? fromPlatform;
    if (other && other !== ua.os) return `${path}.userAgent names ${ua.os} but os/platform name ${other}`;
  }
  const languages = fp.languages;
  if (languages?.length && !uiLocaleFor(languages[0])) {
    return `${path}.languages[0] "${languages[0]}" has no Firefox language pack, so Intl and dates could not follow it; supported: ${UI_LOCALES.join(', ')}`;
  }
  if ((fp.webglVendor === undefined) !== (fp.webglRenderer === undefined)) return `${path}.webglVendor and webglRenderer go together`;
  if (fp.webglVendor !== undefined) {
    if (typeof fp.webglVendor !== 'string' || typeof fp.webglRenderer !== 'string')
      return `${path}.webglVendor and webglRenderer must be strings`;
    const os = claimedOs(fp);
    const problems = (os ? [os] : (['windows', 'macos', 'linux'] as const)).map((o) => webglProblem(o, fp.webglVendor!, fp.webglRenderer!));
    if (problems.every((p) => p !== null)) return `${path}.${problems[0]}`;
  }
  if (fp.fonts !== undefined) {
    const problem = fontsProblem(fp.fonts, `${path}.fonts`);
    if (problem) return problem;
  }
  if (fp.noiseSeed !== undefined && (typeof fp.noiseSeed !== 'string' || !/^[0-9a-f]{16,64}$/.test(fp.noiseSeed))) {
    return `${path}.noiseSeed must be 16 to 64 lowercase hex digits`;
  }
  return null;
}

/** Returns a message naming the first bad field, or null when the fingerprint is acceptable. */
export function fingerprintProblem(value: unknown, path = 'browserFingerPrint'): string | null {
  if (!isPlainObject(value)) return `${path} must be a JSON object`;
  if (JSON.stringify(value).length > 64 * 1024) return `${path} must be at most 64 KB`;
  for (const key of Object.keys(value)) {
    if (REFUSED_KEYS[key]) return `${path}.${key} cannot be made true: ${REFUSED_KEYS[key]}`;
    if (!(FINGERPRINT_KEYS as readonly string[]).includes(key)) {
      return `${path}.${key} is not a fingerprint field (canvas, WebGL, audio and client-rect noise come from noiseSeed); known: ${FINGERPRINT_KEYS.join(', ')}`;
    }
  }
  for (const key of ['coreVersion', 'ostype', 'os', 'userAgent', 'platform', 'webglVendor', 'webglRenderer']) {
    const problem = checkShortText(value, key, path);
    if (problem) return problem;
  }
  if (value.coreVersion !== undefined && !/^\d{1,4}(\.\d+)*$/.test(value.coreVersion as string)) {
    return `${path}.coreVersion must be a version number such as "153"`;
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
    if (!match || +match[1] > 16384 || +match[2] > 16384) return `${path}.resolution must look like "1920x1080"`;
    if (+match[1] < MIN_SCREEN.width || +match[2] < MIN_SCREEN.height) {
      return `${path}.resolution must be at least ${MIN_SCREEN.width}x${MIN_SCREEN.height}, the smallest screen a Firefox window fits on`;
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
  return identityProblem(value, path);
}

/**
 * Checks the claims that depend on the Firefox the windows run: a `coreVersion` or user agent of
 * another major version cannot be made true, since a page sees the engine's features.
 */
export function firefoxVersionProblem(fp: BrowserFingerprint, major: number, path = 'browserFingerPrint'): string | null {
  if (fp.coreVersion !== undefined && Number(fp.coreVersion.split('.')[0]) !== major) {
    return `${path}.coreVersion must be ${major}, the Firefox windows run (asked for ${fp.coreVersion}); a page sees the engine's version in its features`;
  }
  const ua = fp.userAgent ? readUserAgent(fp.userAgent) : null;
  if (ua?.engine === 'firefox' && ua.major !== major) {
    return `${path}.userAgent says Firefox ${ua.major} but windows run Firefox ${major}; a page sees the engine's version in its features`;
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
