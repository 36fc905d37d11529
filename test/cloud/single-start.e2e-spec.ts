import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudProcess, spawnCloud } from '../support/cloud-process';
import { freePort } from '../support/proxies';
import { runUntilExit } from '../support/refused-start';

jest.setTimeout(420_000);

/** A second `npm start` beside a running one: the embedded database is one PGlite on the data folder. */
describe('one cloud per embedded data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cos-single-'));
  const socket = join(dataDir, 'run', '.s.PGSQL.5432');
  let cloud: CloudProcess | undefined;
  const start = async () => (cloud = await spawnCloud({ port: await freePort(), env: { CLOUD_DATA_DIR: dataDir }, readyMs: 170_000 }));
  beforeAll(start, 180_000);
  afterAll(async () => {
    await cloud?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const register = (url: string) =>
    fetch(`${url}/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: `single-${Date.now()}@example.com`, password: 'owner-password-1', name: 'Single' }),
    }).then((r) => r.json() as Promise<{ code: number }>);

  it("refuses to start on a running cloud's data folder, naming it, and leaves the first cloud's database alone", async () => {
    const socketBefore = statSync(socket).ino;
    const second = await runUntilExit('cloud', { NODE_ENV: 'test', CLOUD_DATA_DIR: dataDir, CLOUD_PORT: String(await freePort()) });

    expect(second.code).not.toBe(0);
    expect(second.output).toContain(`cos cloud already runs on this data folder ${dataDir} (pid ${cloud!.pid}, ${cloud!.url.slice(7)})`);
    expect(second.output).toContain('CLOUD_DATA_DIR and CLOUD_PORT of its own');
    expect(second.output).not.toContain('embedded PostgreSQL (PGlite)');
    // The first cloud's socket is its own still (a reconnection finds it), and its database serves.
    expect(statSync(socket).ino).toBe(socketBefore);
    const health = await fetch(`${cloud!.url}/health`);
    expect(health.status).toBe(200);
    expect((await register(cloud!.url)).code).toBe(0);
  });

  it('names CLOUD_PORT when only the port is taken', async () => {
    const other = mkdtempSync(join(tmpdir(), 'cos-single-other-'));
    try {
      const port = new URL(cloud!.url).port;
      const start = await runUntilExit('cloud', { NODE_ENV: 'test', CLOUD_DATA_DIR: other, CLOUD_PORT: port, CLOUD_HOST: '127.0.0.1' });
      expect(start.code).not.toBe(0);
      expect(start.output).toContain(`cos cloud cannot listen on 127.0.0.1:${port}`);
      expect(start.output).toContain('CLOUD_PORT');
      expect(start.output).not.toContain('embedded PostgreSQL (PGlite)');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('takes over the folder of a cloud that was killed', async () => {
    await cloud!.kill();
    await start();
    expect((await fetch(`${cloud!.url}/health`)).status).toBe(200);
    expect((await register(cloud!.url)).code).toBe(0);
  });
});
