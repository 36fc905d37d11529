import { createHash } from 'node:crypto';
import type { BrowserFingerprint, OsFamily } from '@cos/contracts';
import {
  claimedOs,
  FINGERPRINT_KEYS,
  firefoxUserAgent,
  MIN_SCREEN,
  OPTIONAL_FONTS,
  osFamilyOf,
  OS_PROFILES,
  readUserAgent,
  uiLocaleFor,
  WEBGL_CHOICES,
  webglProblem,
} from '@cos/contracts';

/** What this device can make true. */
export interface DeviceFacts {
  firefoxMajor: number;
  realCores: number;
  /** UI locales whose Firefox language pack is installed here (en-US always). */
  uiLocales: readonly string[];
}

/** A field of the stored fingerprint that the window shows differently, and why. */
export interface Adjustment {
  field: string;
  asked: unknown;
  applied: unknown;
  reason: string;
}

/** Everything a page of the window reads, all of it agreeing. */
export interface Identity {
  os: OsFamily;
  userAgent: string;
  platform: string;
  oscpu: string;
  appVersion: string;
  languages: string[];
  uiLocale: string;
  timezone?: string;
  screen: { width: number; height: number };
  hardwareConcurrency: number;
  webgl: { vendor: string; renderer: string };
  fonts: string[];
  noiseSeed: string;
  doNotTrack?: boolean;
}

/** A stable number from text, to pick defaults that stay the same for one window everywhere. */
function stablePick<T>(items: readonly T[], seed: string): T {
  return items[createHash('sha256').update(seed).digest().readUInt32BE(0) % items.length];
}

/**
 * The nearest coherent identity to a stored fingerprint. Fingerprints the cloud accepts today
 * come out unchanged (but for what this device cannot do: more cores than it has, a language
 * without its pack here); older ones with impossible values (a Chrome user agent, another Firefox
 * version, keys no window applies) open as the closest Firefox and list what changed.
 */
export function resolveIdentity(
  fp: BrowserFingerprint,
  uuid: string,
  device: DeviceFacts,
): { identity: Identity; adjustments: Adjustment[] } {
  const adjustments: Adjustment[] = [];
  const adjust = (field: string, asked: unknown, applied: unknown, reason: string) => adjustments.push({ field, asked, applied, reason });
  const stored = fp as Record<string, unknown>;
  for (const key of Object.keys(stored)) {
    if (!(FINGERPRINT_KEYS as readonly string[]).includes(key))
      adjust(key, stored[key], null, 'not a field a Firefox window can apply; ignored');
  }
  const seedSource = typeof fp.noiseSeed === 'string' && /^[0-9a-f]{16,64}$/.test(fp.noiseSeed) ? fp.noiseSeed : uuid;

  const ua = typeof fp.userAgent === 'string' ? readUserAgent(fp.userAgent) : null;
  let os: OsFamily = claimedOs(fp) ?? osFamilyOf(fp.os) ?? 'linux';
  if (ua && ua.engine !== 'firefox') {
    // A Chrome or Safari user agent names an OS still worth keeping.
    os = /Windows/.test(fp.userAgent!) ? 'windows' : /Mac OS X|Macintosh/.test(fp.userAgent!) ? 'macos' : (osFamilyOf(fp.os) ?? 'linux');
  }
  if (fp.ostype !== undefined && String(fp.ostype).toUpperCase() !== 'PC')
    adjust('ostype', fp.ostype, 'PC', 'a desktop Firefox cannot show a touch screen');
  const userAgent = firefoxUserAgent(os, device.firefoxMajor);
  if (
    fp.userAgent !== undefined &&
    fp.userAgent !== userAgent &&
    !(ua?.engine === 'firefox' && ua.major === device.firefoxMajor && ua.os === os)
  ) {
    adjust(
      'userAgent',
      fp.userAgent,
      userAgent,
      `the window is Firefox ${device.firefoxMajor} on ${os}, which a page sees in the engine's features`,
    );
  }
  if (fp.coreVersion !== undefined && Number(String(fp.coreVersion).split('.')[0]) !== device.firefoxMajor) {
    adjust('coreVersion', fp.coreVersion, String(device.firefoxMajor), `this device runs Firefox ${device.firefoxMajor}`);
  }
  const profile = OS_PROFILES[os];
  if (fp.platform !== undefined && fp.platform !== profile.platform)
    adjust('platform', fp.platform, profile.platform, `the platform of ${os}`);
  if (fp.os !== undefined && osFamilyOf(fp.os) !== os) adjust('os', fp.os, profile.platform, 'the user agent names another OS');

  const asked = Array.isArray(fp.languages) && fp.languages.length ? fp.languages.map(String) : ['en-US', 'en'];
  let languages = asked;
  let uiLocale = uiLocaleFor(asked[0], device.uiLocales);
  if (!uiLocale) {
    languages = ['en-US', 'en'];
    uiLocale = 'en-US';
    if (fp.languages !== undefined)
      adjust(
        'languages',
        fp.languages,
        languages,
        `no Firefox language pack for ${asked[0]} on this device, so Intl and dates could not follow it`,
      );
  }

  const resolution = typeof fp.resolution === 'string' ? /^(\d{3,5})x(\d{3,5})$/.exec(fp.resolution) : null;
  const screen = resolution ? { width: +resolution[1], height: +resolution[2] } : { width: 1920, height: 1080 };
  if (screen.width < MIN_SCREEN.width || screen.height < MIN_SCREEN.height || screen.width > 16384 || screen.height > 16384) {
    const fixed = {
      width: Math.min(Math.max(screen.width, MIN_SCREEN.width), 16384),
      height: Math.min(Math.max(screen.height, MIN_SCREEN.height), 16384),
    };
    adjust(
      'resolution',
      fp.resolution,
      `${fixed.width}x${fixed.height}`,
      `a Firefox window needs at least ${MIN_SCREEN.width}x${MIN_SCREEN.height}`,
    );
    Object.assign(screen, fixed);
  }

  const cores = Number.isInteger(fp.hardwareConcurrency) && fp.hardwareConcurrency! >= 1 ? fp.hardwareConcurrency! : device.realCores;
  const hardwareConcurrency = Math.min(cores, device.realCores);
  if (fp.hardwareConcurrency !== undefined && hardwareConcurrency !== fp.hardwareConcurrency) {
    adjust(
      'hardwareConcurrency',
      fp.hardwareConcurrency,
      hardwareConcurrency,
      `this device has ${device.realCores} cores; pages and their workers cannot be shown more`,
    );
  }

  let webgl = { vendor: String(fp.webglVendor ?? ''), renderer: String(fp.webglRenderer ?? '') };
  if (webglProblem(os, webgl.vendor, webgl.renderer)) {
    const chosen = stablePick(WEBGL_CHOICES[os], seedSource);
    if (fp.webglVendor !== undefined || fp.webglRenderer !== undefined)
      adjust('webglRenderer', fp.webglRenderer, chosen.renderer, `not a GPU Firefox on ${os} reports`);
    webgl = chosen;
  }

  const fonts = Array.isArray(fp.fonts) ? fp.fonts.filter((f) => (OPTIONAL_FONTS as readonly unknown[]).includes(f)) : [];
  if (Array.isArray(fp.fonts) && fonts.length !== fp.fonts.length)
    adjust('fonts', fp.fonts, fonts, 'fonts no window can show are left out');

  const identity: Identity = {
    os,
    userAgent,
    platform: profile.platform,
    oscpu: profile.oscpu,
    appVersion: profile.appVersion,
    languages,
    uiLocale,
    ...(typeof fp.timezone === 'string' ? { timezone: fp.timezone } : {}),
    screen,
    hardwareConcurrency,
    webgl,
    fonts,
    noiseSeed: createHash('sha256').update(`cos-noise:${seedSource}`).digest('hex').slice(0, 32),
    ...(typeof fp.doNotTrack === 'boolean' ? { doNotTrack: fp.doNotTrack } : {}),
  };
  return { identity, adjustments };
}
