/**
 * What a desktop Firefox says about its operating system, per OS family, and the checks that keep a
 * window's claims to what Firefox itself would say. The engine cannot be hidden, so a window is
 * always Firefox, at the installed major version, on Windows, macOS or Linux.
 */
export const OS_FAMILIES = ['windows', 'macos', 'linux'] as const;
export type OsFamily = (typeof OS_FAMILIES)[number];

export interface OsProfile {
  /** The user agent's platform token. */
  token: string;
  platform: string;
  oscpu: string;
  appVersion: string;
}

/** Firefox's own values (Firefox freezes the OS versions it reports). */
export const OS_PROFILES: Record<OsFamily, OsProfile> = {
  windows: { token: 'Windows NT 10.0; Win64; x64', platform: 'Win32', oscpu: 'Windows NT 10.0; Win64; x64', appVersion: '5.0 (Windows)' },
  macos: { token: 'Macintosh; Intel Mac OS X 10.15', platform: 'MacIntel', oscpu: 'Intel Mac OS X 10.15', appVersion: '5.0 (Macintosh)' },
  linux: { token: 'X11; Linux x86_64', platform: 'Linux x86_64', oscpu: 'Linux x86_64', appVersion: '5.0 (X11)' },
};

/** `os` / `platform` text ("Win32", "MacIntel", "Linux x86_64", "Windows", "macOS") → family. */
export function osFamilyOf(text: string | undefined): OsFamily | null {
  if (!text) return null;
  if (/^win/i.test(text)) return 'windows';
  if (/^mac/i.test(text)) return 'macos';
  if (/^linux|^x11/i.test(text)) return 'linux';
  return null;
}

export function firefoxUserAgent(os: OsFamily, major: number): string {
  return `Mozilla/5.0 (${OS_PROFILES[os].token}; rv:${major}.0) Gecko/20100101 Firefox/${major}.0`;
}

const FIREFOX_UA = /^Mozilla\/5\.0 \(([^)]+); rv:(\d+)\.0\) Gecko\/20100101 Firefox\/(\d+)\.0$/;
const FIREFOX_TOKENS: Record<string, OsFamily> = {
  'Windows NT 10.0; Win64; x64': 'windows',
  'Macintosh; Intel Mac OS X 10.15': 'macos',
  'X11; Linux x86_64': 'linux',
  'X11; Ubuntu; Linux x86_64': 'linux',
};

export type UserAgentReading =
  | { engine: 'firefox'; os: OsFamily; major: number }
  | { engine: 'firefox-other'; why: string }
  | { engine: 'chrome' | 'edge' | 'opera' | 'safari' | 'other' };

/** Which browser a user agent claims, and for a desktop Firefox one, its OS and major version. */
export function readUserAgent(ua: string): UserAgentReading {
  if (/Edg(e|A|iOS)?\//.test(ua)) return { engine: 'edge' };
  if (/OPR\/|Opera/.test(ua)) return { engine: 'opera' };
  if (/Chrome\/|Chromium\/|CriOS\//.test(ua)) return { engine: 'chrome' };
  const firefox = FIREFOX_UA.exec(ua);
  if (firefox) {
    const os = FIREFOX_TOKENS[firefox[1]];
    if (!os) return { engine: 'firefox-other', why: `its platform "${firefox[1]}" is not one desktop Firefox reports` };
    if (firefox[2] !== firefox[3]) return { engine: 'firefox-other', why: 'its rv: and Firefox/ versions differ' };
    return { engine: 'firefox', os, major: Number(firefox[3]) };
  }
  if (/Firefox\//.test(ua)) {
    return /Android|Mobile|iPhone|iPad/.test(ua)
      ? { engine: 'firefox-other', why: 'it is a mobile Firefox, whose touch screen desktop Firefox cannot show' }
      : { engine: 'firefox-other', why: 'it is not in the form Firefox sends' };
  }
  if (/Safari\//.test(ua) || /AppleWebKit\//.test(ua)) return { engine: 'safari' };
  return { engine: 'other' };
}

/**
 * UI locales with a Firefox language pack (Debian's firefox-esr-l10n-*, installed by `.ci/run` and
 * the Dockerfile of a device); en-US is built in. Intl, date names and hour cycles follow the
 * pack, so a window may only speak a language whose pack exists.
 */
export const UI_LOCALES = [
  'en-US',
  'en-GB',
  'de',
  'fr',
  'es-ES',
  'it',
  'pt-BR',
  'ru',
  'ja',
  'zh-CN',
  'pl',
  'nl',
  'tr',
  'ko',
  'uk',
] as const;

/** The language pack Firefox would pick for a language tag, among `available`. */
export function uiLocaleFor(tag: string, available: readonly string[] = UI_LOCALES): string | null {
  const lower = tag.toLowerCase();
  const exact = available.find((l) => l.toLowerCase() === lower);
  if (exact) return exact;
  const language = lower.split('-')[0];
  if (language === 'en') return available.includes('en-US') ? 'en-US' : null;
  return available.find((l) => l.toLowerCase().split('-')[0] === language) ?? null;
}

/** The smallest screen a desktop Firefox window with its toolbars fits on. */
export const MIN_SCREEN = { width: 800, height: 600 } as const;

/**
 * GPU names as Firefox reports them: it replaces the driver's string by a representative device of
 * its class and adds ", or similar" (dom/canvas/SanitizeRenderer.cpp). Only these can be claimed.
 */
const SANITIZED_DEVICES = [
  'NVIDIA GeForce GTX 980',
  'NVIDIA GeForce GTX 480',
  'NVIDIA GeForce 8800 GTX',
  'GeForce GTX 980',
  'Radeon R9 200 Series',
  'Radeon HD 5850',
  'Radeon HD 3200 Graphics',
  'Intel(R) HD Graphics',
  'Intel(R) HD Graphics 400',
  'Apple M1',
  'llvmpipe',
];
const ANGLE = /^ANGLE \((NVIDIA|Intel|AMD), (.+) Direct3D11 vs_5_0 ps_5_0\), or similar$/;
const ANGLE_VENDORS: Record<string, string> = { NVIDIA: 'Google Inc. (NVIDIA)', Intel: 'Google Inc. (Intel)', AMD: 'Google Inc. (AMD)' };
const NATIVE_VENDORS: Record<OsFamily, string[]> = {
  windows: [],
  macos: ['Apple', 'Intel Inc.', 'ATI Technologies Inc.'],
  linux: ['Intel', 'NVIDIA Corporation', 'AMD', 'Mesa', 'X.Org'],
};

/** Why a WebGL vendor/renderer pair is not one Firefox on `os` reports, or null. */
export function webglProblem(os: OsFamily, vendor: string, renderer: string): string | null {
  const angle = ANGLE.exec(renderer);
  if (os === 'windows') {
    if (!angle || !SANITIZED_DEVICES.includes(angle[2])) {
      return 'webglRenderer must be what Firefox on Windows reports, e.g. "ANGLE (NVIDIA, NVIDIA GeForce GTX 980 Direct3D11 vs_5_0 ps_5_0), or similar"';
    }
    if (vendor !== ANGLE_VENDORS[angle[1]]) return `webglVendor must be "${ANGLE_VENDORS[angle[1]]}" for this renderer`;
    return null;
  }
  const device = renderer.endsWith(', or similar') ? renderer.slice(0, -', or similar'.length) : '';
  if (angle || !SANITIZED_DEVICES.includes(device)) {
    return `webglRenderer must be a GPU as Firefox reports it on ${os === 'macos' ? 'macOS' : 'Linux'}, e.g. "${os === 'macos' ? 'Apple M1' : 'Intel(R) HD Graphics'}, or similar"`;
  }
  if (!NATIVE_VENDORS[os].includes(vendor)) return `webglVendor must be one of ${NATIVE_VENDORS[os].join(', ')}`;
  if ((device === 'Apple M1') !== (os === 'macos' && vendor === 'Apple')) return 'webglVendor and webglRenderer name different GPUs';
  return null;
}

/**
 * The driver string to give `webgl.override-unmasked-renderer`: Firefox sanitizes it (for RENDERER
 * and the debug extension alike) back to the claimed renderer, so both agree.
 */
export function webglDriverString(renderer: string): string {
  const angle = ANGLE.exec(renderer);
  if (angle) return `ANGLE (${angle[1]}, ${angle[2]} Direct3D11 vs_5_0 ps_5_0, D3D11)`;
  return renderer.replace(/, or similar$/, '');
}

/** Plausible GPUs per OS, for identities that name none. */
export const WEBGL_CHOICES: Record<OsFamily, { vendor: string; renderer: string }[]> = {
  windows: [
    { vendor: 'Google Inc. (NVIDIA)', renderer: 'ANGLE (NVIDIA, NVIDIA GeForce GTX 980 Direct3D11 vs_5_0 ps_5_0), or similar' },
    { vendor: 'Google Inc. (Intel)', renderer: 'ANGLE (Intel, Intel(R) HD Graphics 400 Direct3D11 vs_5_0 ps_5_0), or similar' },
    { vendor: 'Google Inc. (AMD)', renderer: 'ANGLE (AMD, Radeon R9 200 Series Direct3D11 vs_5_0 ps_5_0), or similar' },
  ],
  macos: [
    { vendor: 'Apple', renderer: 'Apple M1, or similar' },
    { vendor: 'Intel Inc.', renderer: 'Intel(R) HD Graphics 400, or similar' },
  ],
  linux: [
    { vendor: 'Intel', renderer: 'Intel(R) HD Graphics, or similar' },
    { vendor: 'AMD', renderer: 'Radeon R9 200 Series, or similar' },
  ],
};
