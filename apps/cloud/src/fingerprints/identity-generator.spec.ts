import {
  claimedOs,
  fingerprintProblem,
  firefoxVersionProblem,
  GENERIC_FONTS,
  OPTIONAL_FONTS,
  OS_PROFILES,
  osFamilyOf,
  uiLocaleFor,
  webglProblem,
} from '@cos/contracts';
import type { CloudConfig } from '../config/cloud-config';
import { GENERATED_LOCALES, IdentityGenerator } from './identity-generator';

const generator = new IdentityGenerator({ firefoxMajor: 153 } as CloudConfig);

describe('IdentityGenerator', () => {
  it('draws 1,000 fingerprints that each pass every check and agree with themselves', () => {
    const seeds = new Set<string>();
    const oses = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const fp = generator.random();
      expect(fingerprintProblem(fp)).toBeNull();
      expect(firefoxVersionProblem(fp, 153)).toBeNull();
      const os = claimedOs(fp)!;
      expect(os).not.toBeNull();
      oses.set(os, (oses.get(os) ?? 0) + 1);
      expect(osFamilyOf(fp.platform)).toBe(os);
      expect(fp.platform).toBe(OS_PROFILES[os].platform);
      expect(webglProblem(os, fp.webglVendor!, fp.webglRenderer!)).toBeNull();
      expect(uiLocaleFor(fp.languages![0])).not.toBeNull();
      const [width, height] = fp.resolution!.split('x').map(Number);
      expect(width).toBeGreaterThanOrEqual(800);
      expect(height).toBeGreaterThanOrEqual(600);
      expect(fp.hardwareConcurrency).toBeGreaterThanOrEqual(1);
      // The optional fonts never repeat what the OS always shows.
      for (const generic of Object.values(GENERIC_FONTS[os])) expect(fp.fonts).not.toContain(generic);
      seeds.add(fp.noiseSeed!);
      const view = generator.pageView(fp, os);
      expect(view.userAgent).toContain(`rv:153.0) Gecko/20100101 Firefox/153.0`);
      expect(view.userAgent).toContain(OS_PROFILES[os].token);
    }
    expect(seeds.size).toBe(1000);
    expect([...oses.keys()].sort()).toEqual(['linux', 'macos', 'windows']);
  });

  it('follows the os, locale and timezone asked for', () => {
    for (const locale of Object.keys(GENERATED_LOCALES)) {
      const fp = generator.random({ os: 'macos', locale });
      expect(fp.platform).toBe('MacIntel');
      expect(fp.languages![0]).toBe(locale);
      expect(GENERATED_LOCALES[locale]).toContain(fp.timezone);
    }
    expect(generator.random({ os: 'linux', timezone: 'Asia/Tokyo' }).timezone).toBe('Asia/Tokyo');
  });
});

/** The families FingerprintJS 5 probes for (its `fonts` source): the optional fonts but the common extras. */
const FINGERPRINTJS_FONTS = OPTIONAL_FONTS.filter(
  (f) => !['Arial Narrow', 'Book Antiqua', 'Bookman Old Style', 'Cambria', 'Palatino'].includes(f),
);

describe('the fonts a detection script finds', () => {
  it.each(['windows', 'macos', 'linux'] as const)('are seldom the same in two %s windows', (os) => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const seen = (generator.random({ os }).fonts ?? []).filter((f) => (FINGERPRINTJS_FONTS as readonly string[]).includes(f)).join();
      counts.set(seen, (counts.get(seen) ?? 0) + 1);
    }
    // The chance that two windows find the same families (unbiased from the draws): one pair in a
    // thousand at most, so a team's twenty windows rarely share a list. Drawn from 30% shares of
    // shorter lists, Linux windows shared one in 250 pairs.
    const same = ([...counts.values()].reduce((sum, c) => sum + c * c, 0) - 1000) / (1000 * 999);
    expect(same).toBeLessThan(0.001);
  });
});
