import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadCloudConfig } from './cloud-config';

describe('loadCloudConfig', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'cos-config-'));

  it('lists every bad variable at once', () => {
    const load = () =>
      loadCloudConfig({
        CLOUD_DATA_DIR: dir(),
        CLOUD_PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        RECYCLE_RETENTION_DAYS: '0',
        REGISTRATION_ENABLED: 'maybe',
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/CLOUD_PORT[\s\S]*DATABASE_URL[\s\S]*REGISTRATION_ENABLED[\s\S]*RECYCLE_RETENTION_DAYS|CLOUD_PORT/);
    try {
      load();
    } catch (error) {
      for (const name of ['CLOUD_PORT', 'DATABASE_URL', 'RECYCLE_RETENTION_DAYS', 'REGISTRATION_ENABLED'])
        expect((error as Error).message).toContain(name);
    }
  });

  it('requires the secrets in production and keeps generated ones otherwise', () => {
    expect(() => loadCloudConfig({ NODE_ENV: 'production', CLOUD_DATA_DIR: dir() })).toThrow(
      /JWT_SECRET: required[\s\S]*ENCRYPTION_KEY: required/,
    );
    const dataDir = dir();
    const a = loadCloudConfig({ CLOUD_DATA_DIR: dataDir });
    const b = loadCloudConfig({ CLOUD_DATA_DIR: dataDir });
    expect(a.secrets.jwtSecret).toBe(b.secrets.jwtSecret);
    expect(a.secrets.encryptionKey.equals(b.secrets.encryptionKey)).toBe(true);
    expect(a.secrets.encryptionKey).toHaveLength(32);
    expect(a.env).toMatchObject({ CLOUD_PORT: 3000, CLOUD_HOST: '127.0.0.1', RECYCLE_RETENTION_DAYS: 30, REGISTRATION_ENABLED: true });
  });
});
