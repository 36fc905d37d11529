import { configProblem, fingerprintProblem, firefoxVersionProblem, syncSettingsOf } from './fingerprint';
import { webglDriverString } from './firefox-os';
import { permissionFor, roleHolds } from './permissions';
import { parseId, resolveWindowRef } from './window-ref';

const UUID = '550e8400-e29b-41d4-a716-446655440000';

describe('resolveWindowRef', () => {
  it('takes any of the six aliases', () => {
    for (const key of ['uuid', 'config_uuid', 'browserUuid', 'browser_uuid'])
      expect(resolveWindowRef({ [key]: UUID })).toEqual({ uuid: UUID });
    for (const key of ['id', 'browserId', 'browser_id']) expect(resolveWindowRef({ [key]: '123' })).toEqual({ id: 123, uuid: undefined });
  });
  it('accepts the same window named twice, refuses two windows or lists', () => {
    expect(resolveWindowRef({ uuid: UUID, config_uuid: UUID.toUpperCase() })).toEqual({ uuid: UUID });
    expect(resolveWindowRef({ id: 5, browserId: '5' })).toEqual({ id: 5, uuid: undefined });
    expect(() => resolveWindowRef({ id: 5, browser_id: 6 })).toThrow('only one window');
    expect(() => resolveWindowRef({ uuid: [UUID] })).toThrow('several were given');
    expect(() => resolveWindowRef({})).toThrow('is required');
    expect(() => resolveWindowRef({ uuid: 'abc' })).toThrow('must be a window UUID');
  });
});

describe('parseId', () => {
  it('takes positive int4 ids as numbers or digit strings', () => {
    expect(parseId(7)).toBe(7);
    expect(parseId('42')).toBe(42);
    for (const bad of [0, -1, 1.5, '1e3', '', 'x', 2 ** 31, null, true]) expect(parseId(bad)).toBeNull();
  });
});

describe('permissions', () => {
  it('picks the batch permission for more than one id', () => {
    const rule = { single: 'browser:update:single', batch: 'browser:update:batch' } as const;
    expect(permissionFor(rule, 1)).toBe('browser:update:single');
    expect(permissionFor(rule, 2)).toBe('browser:update:batch');
  });
  it('gives owners and admins everything, members what they were granted', () => {
    expect(roleHolds('owner', [], 'team:manage')).toBe(true);
    expect(roleHolds('admin', [], 'proxy:manage')).toBe(true);
    expect(roleHolds('member', ['browser:list'], 'browser:list')).toBe(true);
    expect(roleHolds('member', ['browser:list'], 'browser:open')).toBe(false);
  });
});

describe('fingerprint and config checks', () => {
  it('accepts the contract fields', () => {
    expect(
      fingerprintProblem({
        coreVersion: '153',
        os: 'Win32',
        languages: ['de-DE', 'en'],
        timezone: 'Europe/Berlin',
        resolution: '1920x1080',
        hardwareConcurrency: 8,
        webrtc: 'proxy-only',
        doNotTrack: true,
        webglVendor: 'Google Inc. (NVIDIA)',
        webglRenderer: 'ANGLE (NVIDIA, NVIDIA GeForce GTX 980 Direct3D11 vs_5_0 ps_5_0), or similar',
        fonts: ['Calibri', 'Century'],
        noiseSeed: '0123456789abcdef',
      }),
    ).toBeNull();
    expect(fingerprintProblem({})).toBeNull();
  });
  it('names the bad field', () => {
    expect(fingerprintProblem({ timezone: 'Nowhere/City' })).toContain('timezone');
    expect(fingerprintProblem({ resolution: '100x100' })).toContain('resolution');
    expect(fingerprintProblem({ languages: [] })).toContain('languages');
    expect(fingerprintProblem({ coreVersion: 'latest' })).toContain('coreVersion');
    expect(configProblem({ syncPasswords: 1 })).toBe('config.syncPasswords must be a boolean');
  });
  it('refuses what a Firefox window cannot make true, naming the field', () => {
    const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
    const safari = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
    expect(fingerprintProblem({ userAgent: chrome })).toMatch(/^browserFingerPrint\.userAgent is a chrome user agent/);
    expect(fingerprintProblem({ userAgent: safari })).toMatch(/^browserFingerPrint\.userAgent is a safari user agent/);
    expect(fingerprintProblem({ userAgent: 'Mozilla/5.0 (Android 14; Mobile; rv:153.0) Gecko/153.0 Firefox/153.0' })).toContain('mobile');
    const windowsUa = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:153.0) Gecko/20100101 Firefox/153.0';
    expect(fingerprintProblem({ userAgent: windowsUa, os: 'MacIntel' })).toContain('userAgent names windows');
    expect(fingerprintProblem({ os: 'Win32', platform: 'MacIntel' })).toContain('platform');
    expect(fingerprintProblem({ ostype: 'Android' })).toContain('ostype must be PC');
    expect(fingerprintProblem({ resolution: '640x480' })).toContain('at least 800x600');
    expect(fingerprintProblem({ languages: ['sw-KE'] })).toContain('languages[0] "sw-KE" has no Firefox language pack');
    expect(fingerprintProblem({ deviceMemory: 8 })).toContain('deviceMemory cannot be made true');
    expect(fingerprintProblem({ canvasNoise: 0.2 })).toContain('canvasNoise is not a fingerprint field');
    expect(
      fingerprintProblem({
        os: 'MacIntel',
        webglVendor: 'Google Inc. (NVIDIA)',
        webglRenderer: 'ANGLE (NVIDIA, NVIDIA GeForce GTX 980 Direct3D11 vs_5_0 ps_5_0), or similar',
      }),
    ).toContain('webglRenderer');
    expect(fingerprintProblem({ webglVendor: 'Apple' })).toContain('go together');
    expect(fingerprintProblem({ fonts: ['Comic Sans MS'] })).toContain('fonts has "Comic Sans MS"');
    expect(fingerprintProblem({ noiseSeed: 'xyz' })).toContain('noiseSeed');
    expect(firefoxVersionProblem({ coreVersion: '118' }, 153)).toContain('coreVersion must be 153');
    expect(firefoxVersionProblem({ userAgent: windowsUa.replace(/153/g, '128') }, 153)).toContain(
      'says Firefox 128 but windows run Firefox 153',
    );
    expect(firefoxVersionProblem({ coreVersion: '153.0', userAgent: windowsUa }, 153)).toBeNull();
  });
  it('gives Firefox driver strings that its sanitizer turns back into the claimed renderer', () => {
    expect(webglDriverString('ANGLE (NVIDIA, NVIDIA GeForce GTX 980 Direct3D11 vs_5_0 ps_5_0), or similar')).toBe(
      'ANGLE (NVIDIA, NVIDIA GeForce GTX 980 Direct3D11 vs_5_0 ps_5_0, D3D11)',
    );
    expect(webglDriverString('Apple M1, or similar')).toBe('Apple M1');
  });
  it('defaults every sync setting to true', () => {
    expect(syncSettingsOf({ syncCookies: false })).toEqual({
      syncCookies: false,
      syncLocalStorage: true,
      syncIndexedDB: true,
      syncHistory: true,
      syncBookmarks: true,
      syncPasswords: true,
      syncExtensions: true,
    });
  });
});
