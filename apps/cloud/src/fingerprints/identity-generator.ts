import { Injectable } from '@nestjs/common';
import { randomBytes, randomInt } from 'node:crypto';
import { FingerprintGenerator } from 'fingerprint-generator';
import type { BrowserFingerprint, OsFamily } from '@cos/contracts';
import {
  firefoxUserAgent,
  firefoxVersionProblem,
  fontSetOf,
  InvalidParamError,
  MIN_SCREEN,
  OPTIONAL_FONTS,
  OS_PROFILES,
  uiLocaleFor,
  WEBGL_CHOICES,
  webglProblem,
} from '@cos/contracts';
import { CloudConfig } from '../config/cloud-config';

/** Locales a generated window may speak (each has a Firefox language pack), with a likely time zone. */
export const GENERATED_LOCALES: Record<string, string[]> = {
  'en-US': ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'],
  'en-GB': ['Europe/London'],
  'de-DE': ['Europe/Berlin'],
  'fr-FR': ['Europe/Paris'],
  'es-ES': ['Europe/Madrid'],
  'it-IT': ['Europe/Rome'],
  'pt-BR': ['America/Sao_Paulo'],
  'ru-RU': ['Europe/Moscow'],
  'ja-JP': ['Asia/Tokyo'],
  'zh-CN': ['Asia/Shanghai'],
  'pl-PL': ['Europe/Warsaw'],
  'nl-NL': ['Europe/Amsterdam'],
  'tr-TR': ['Europe/Istanbul'],
  'ko-KR': ['Asia/Seoul'],
  'uk-UA': ['Europe/Kyiv'],
};

const GENERATOR_OS: Record<OsFamily, 'windows' | 'macos' | 'linux'> = { windows: 'windows', macos: 'macos', linux: 'linux' };

/** Fonts that come with software (office suites, design tools) rather than the OS: some machines have them. */
const SOFTWARE_FONTS: Record<OsFamily, string[]> = {
  windows: [
    'Arial Narrow',
    'Book Antiqua',
    'Bookman Old Style',
    'Century',
    'Century Gothic',
    'Franklin Gothic',
    'Haettenschweiler',
    'Lucida Bright',
    'Lucida Sans',
    'MS Outlook',
    'MS Reference Specialty',
    'MT Extra',
    'Monotype Corsiva',
    'Pristina',
    'Agency FB',
    'MYRIAD PRO',
    'Minion Pro',
    'ARNO PRO',
    'TRAJAN PRO',
    'Letter Gothic',
  ],
  macos: [
    'Arial Narrow',
    'Book Antiqua',
    'Bookman Old Style',
    'Century',
    'Century Gothic',
    'Franklin Gothic',
    'Calibri',
    'Cambria',
    'MYRIAD PRO',
    'Minion Pro',
    'ARNO PRO',
    'TRAJAN PRO',
    'Monotype Corsiva',
    'Lucida Bright',
    'Palatino',
    'GOTHAM',
    'EUROSTILE',
    'Clarendon',
    'Letter Gothic',
  ],
  linux: [
    'Bitstream Vera Sans Mono',
    'Calibri',
    'Cambria',
    'Century',
    'Century Gothic',
    'Book Antiqua',
    'Bookman Old Style',
    'Palatino',
    'Arial Narrow',
    'Monotype Corsiva',
    'Franklin Gothic',
    'Lucida Sans',
    'Lucida Bright',
    'MYRIAD PRO',
    // Wine's and CJK packages' families.
    'Marlett',
    'SimHei',
    'MS Mincho',
    'Batang',
  ],
};

export interface RandomFingerprintOptions {
  os?: OsFamily;
  locale?: string;
  timezone?: string;
}

/** What a page of the window will read, for the console's preview. */
export interface PageView {
  userAgent: string | null;
  platform: string;
  oscpu: string;
  appVersion: string;
  languages: string[];
  intlLocale: string | null;
  timezone: string | null;
  screen: string | null;
  hardwareConcurrency: number | null;
  webgl: string | null;
  fonts: string[];
}

function pick<T>(items: readonly T[]): T {
  return items[randomInt(items.length)];
}

/**
 * Coherent Firefox identities drawn from real-world browser statistics (fingerprint-generator's
 * Bayesian network, shipped with the package; nothing is fetched). The engine is always the
 * installed Firefox, so the sample's user agent is not kept: the agent builds it from `os` and the
 * Firefox it runs.
 */
@Injectable()
export class IdentityGenerator {
  /** Built on first use: loading the network takes about a second. */
  private generator: FingerprintGenerator | null = null;

  constructor(private readonly config: CloudConfig) {}

  /** A user agent or coreVersion of another Firefox than the agents run cannot be made true. */
  checkFirefoxVersion(fingerprint: BrowserFingerprint | undefined): void {
    const major = this.config.firefoxMajor;
    const problem = fingerprint && major !== null ? firefoxVersionProblem(fingerprint, major) : null;
    if (problem) throw new InvalidParamError(problem);
  }

  random(options: RandomFingerprintOptions = {}): BrowserFingerprint {
    const os = options.os ?? pick(['windows', 'windows', 'windows', 'macos', 'linux'] as const);
    const locale = options.locale ?? pick(Object.keys(GENERATED_LOCALES));
    this.generator ??= new FingerprintGenerator();
    const sample = this.generator.getFingerprint({
      browsers: [{ name: 'firefox' }],
      operatingSystems: [GENERATOR_OS[os]],
      devices: ['desktop'],
      locales: [locale],
    }).fingerprint;
    const languages = sample.navigator.languages?.length ? [...sample.navigator.languages] : [locale];
    if (languages[0] !== locale) languages.unshift(locale);
    const card =
      sample.videoCard && !webglProblem(os, sample.videoCard.vendor, sample.videoCard.renderer)
        ? sample.videoCard
        : pick(WEBGL_CHOICES[os]);
    const seen = (sample.fonts ?? []).filter((f) => (OPTIONAL_FONTS as readonly string[]).includes(f));
    // Installed software varies from machine to machine: each window gets its own share of it.
    const software = SOFTWARE_FONTS[os].filter(() => randomInt(100) < 50);
    const fonts = [...new Set([...seen, ...software])].filter((f) => !fontSetOf(os, []).includes(f)).sort();
    return {
      ostype: 'PC',
      os: OS_PROFILES[os].platform,
      platform: OS_PROFILES[os].platform,
      languages: languages.filter((l, i) => languages.indexOf(l) === i).slice(0, 5),
      timezone: options.timezone ?? pick(GENERATED_LOCALES[locale] ?? ['UTC']),
      resolution: `${Math.max(sample.screen.width, MIN_SCREEN.width)}x${Math.max(sample.screen.height, MIN_SCREEN.height)}`,
      hardwareConcurrency: Math.min(Math.max(sample.navigator.hardwareConcurrency || 4, 1), 64),
      webglVendor: card.vendor,
      webglRenderer: card.renderer,
      fonts,
      noiseSeed: randomBytes(16).toString('hex'),
    };
  }

  /** What a page will read from a window with this fingerprint (before the device's own limits). */
  pageView(fp: BrowserFingerprint, os: OsFamily): PageView {
    const major = this.config.firefoxMajor;
    return {
      userAgent: fp.userAgent ?? (major ? firefoxUserAgent(os, major) : null),
      platform: OS_PROFILES[os].platform,
      oscpu: OS_PROFILES[os].oscpu,
      appVersion: OS_PROFILES[os].appVersion,
      languages: fp.languages ?? ['en-US', 'en'],
      intlLocale: uiLocaleFor(fp.languages?.[0] ?? 'en-US'),
      timezone: fp.timezone ?? null,
      screen: fp.resolution ?? null,
      hardwareConcurrency: fp.hardwareConcurrency ?? null,
      webgl: fp.webglRenderer ?? null,
      fonts: fontSetOf(os, fp.fonts ?? []),
    };
  }
}
