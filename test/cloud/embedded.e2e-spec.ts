import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '../../apps/cloud/src/crypto/secret-box';
import { startCloud } from '../support/cloud-app';
import { createWindow, registerOwner } from '../support/factories';

// The embedded database compiles and migrates in the test's process: on a busy machine that alone
// took more than the default minute.
jest.setTimeout(180_000);

describe('embedded PostgreSQL (PGlite) mode', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cos-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps data and secrets in the data folder across restarts', async () => {
    const first = await startCloud({ embedded: true, dataDir });
    let window: { id: number; uuid: string };
    let email: string;
    try {
      expect((await first.raw().get('/health')).body.data).toMatchObject({ status: 'ok', database: 'embedded' });
      const owner = await registerOwner(first);
      email = owner.email;
      window = await createWindow(first, owner, { name: 'survives restarts', proxyType: 'http', host: 'h', port: 1, proxyPassword: 'pw' });
    } finally {
      await first.close();
    }
    expect(statSync(join(dataDir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'encryption-key')).mode & 0o777).toBe(0o600);

    const second = await startCloud({ embedded: true, dataDir });
    try {
      const login = await second.post('/auth/login', { email, password: 'owner-password-1' });
      expect(login.code).toBe(0);
      const detail = await second.post('/browser/detail', { uuid: window.uuid }, login.data.accessToken);
      expect(detail.data).toMatchObject({ id: window.id, name: 'survives restarts', hasProxyPassword: true });
      const [row] = await second.db.query(`SELECT proxy_password_enc FROM windows WHERE id = $1`, [window.id]);
      expect(second.app.get(SecretBox).open(row.proxy_password_enc)).toBe('pw');
    } finally {
      await second.close();
    }
  });
});
