import { configProblem, fingerprintProblem, syncSettingsOf } from './fingerprint';
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
  it('accepts the contract fields and keeps others', () => {
    expect(
      fingerprintProblem({
        coreVersion: '118',
        os: 'Win32',
        languages: ['de-DE', 'en'],
        timezone: 'Europe/Berlin',
        resolution: '1920x1080',
        hardwareConcurrency: 8,
        webrtc: 'proxy-only',
        doNotTrack: true,
        anything: { else: 1 },
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
