import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudProcess, spawnCloud } from '../support/cloud-process';
import { freePort } from '../support/proxies';

jest.setTimeout(120_000);

/**
 * Ctrl-C on `npm start` while the console is open: its event stream and its kept connections
 * must not hold the cloud up; it ends the stream and exits.
 */
describe('a cloud stopped while a console holds its event stream and a kept connection', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cos-stop-streams-'));
  let cloud: CloudProcess | undefined;
  const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000 });

  beforeAll(async () => {
    cloud = await spawnCloud({ port: await freePort(), env: { CLOUD_DATA_DIR: dataDir, HTTP_KEEP_ALIVE_SECONDS: '600' } });
  });
  afterAll(async () => {
    agent.destroy();
    await cloud?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends the stream and exits on SIGINT', async () => {
    const registered = await fetch(`${cloud!.url}/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'stop-streams@example.com', password: 'owner-password-1', name: 'O' }),
    });
    const token = ((await registered.json()) as { data: { accessToken: string } }).data.accessToken;
    // A kept connection left idle, as a browser leaves one after a call.
    await new Promise<void>((resolve, reject) => {
      const req = request(`${cloud!.url}/health`, { agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    // The console's event stream, open.
    const stream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request(`${cloud!.url}/events`, { agent, headers: { Authorization: `Bearer ${token}` } }, resolve);
      req.on('error', reject);
      req.end();
    });
    expect(stream.statusCode).toBe(200);
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
      stream.resume();
    });

    expect(await cloud!.stop('SIGINT', 15_000)).toBe(true);
    await ended;
    cloud = undefined;
  });
});
