import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudProcess, spawnCloud } from '../support/cloud-process';
import type { Envelope } from '../support/cloud-app';
import { line } from '../support/line-client';
import { freePort } from '../support/proxies';
import { waitFor } from '../support/wait-for';

jest.setTimeout(300_000);

/**
 * The default install: one cloud on the embedded database (one connection), killed while a device
 * held its line, started again, and later stopped with a line connected.
 */
describe('device line on the embedded database, across a cloud restart and a stop', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cos-line-embedded-'));
  const env = { CLOUD_DATA_DIR: dataDir, DEVICE_HEARTBEAT_SECONDS: '1', DEVICE_OFFLINE_SECONDS: '3' };
  let port: number;
  let cloud: CloudProcess | undefined;

  async function call<T = any>(path: string, body: object, token?: string): Promise<Envelope<T>> {
    const res = await fetch(`${cloud!.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return (await res.json()) as Envelope<T>;
  }

  beforeAll(async () => {
    port = await freePort();
    cloud = await spawnCloud({ port, env });
  });
  afterAll(async () => {
    await cloud?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a device left online by a killed cloud is swept offline after the restart, and the database keeps answering', async () => {
    const owner = (await call('/auth/register', { email: 'embedded-line@example.com', password: 'owner-password-1', name: 'O' })).data;
    const device = await line(cloud!.url, owner.accessToken);
    await device.hello();
    await cloud!.kill();
    await device.closed;
    cloud = await spawnCloud({ port, env });
    const token = (await call('/auth/login', { email: 'embedded-line@example.com', password: 'owner-password-1' })).data.accessToken;
    // Past several sweeps: the row left by the dead instance is let go, and every call still answers.
    await waitFor(async () => (await call('/device/list', {}, token)).data.list.every((d: { online: boolean }) => !d.online));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await fetch(`${cloud.url}/health`, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
    const offline = (await call('/audit/list', { kind: 'device.offline' }, token)).data.list;
    expect(offline.map((e: { deviceId: string }) => e.deviceId)).toContain(owner.deviceId);

    // Stopped (Ctrl-C, a service stop) with a line connected: it closes the line and exits.
    const back = await line(cloud.url, token);
    await back.hello();
    expect(await cloud.stop('SIGTERM', 15_000)).toBe(true);
    expect((await back.closed).code).toBe(4503);
    cloud = undefined;
  });
});
