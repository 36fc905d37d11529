import { authorOf } from './version-author';
import type { Version } from './version-author';

const version = (overrides: Partial<Version>): Version => ({
  version: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  deviceId: 'dev-1',
  deviceName: 'laptop-anna',
  createdByEmail: 'ana@example.com',
  via: 'session',
  apiTokenId: null,
  fileCount: 4,
  totalSize: 1024,
  restoredFrom: null,
  ...overrides,
});

describe('the author of a profile version', () => {
  it('names the member and the device the cloud issued to their session or token', () => {
    expect(authorOf(version({}))).toBe(', by ana@example.com on laptop-anna');
    expect(authorOf(version({ via: 'api-token', apiTokenId: 12 }))).toBe(', by ana@example.com through an API token on laptop-anna');
    expect(authorOf(version({ deviceName: null }))).toBe(', by ana@example.com on a device the cloud does not know');
  });

  it('marks a device id from before the cloud issued them as unverified, and says nothing it does not know', () => {
    expect(authorOf(version({ via: null, deviceId: 'desk-1', deviceName: null }))).toBe(
      ', by ana@example.com on a device the cloud does not know (named by the device itself, not verified)',
    );
    expect(authorOf(version({ deviceId: null, createdByEmail: null }))).toBe('');
  });
});
