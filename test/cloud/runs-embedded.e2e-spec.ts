import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createWindow, registerOwner } from '../support/factories';
import { answerEvery, line } from '../support/line-client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

/**
 * The default install's database is one session: everything a run, a schedule and a webhook do
 * must go through it without waiting for a second connection. Several runs started at once over
 * the same windows (each start reads its windows inside its transaction), their dispatch, their
 * results, a schedule's tick and a webhook's delivery by the job engine — all on PGlite.
 */
describe('runs, schedules and webhooks on the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cos-runs-embedded-'));
  let cloud: CloudHarness;
  let owner: Account;
  afterAll(async () => {
    await cloud?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts runs at once, runs them, fires a schedule and delivers a webhook, without a second connection', async () => {
    cloud = await startCloud({
      embedded: true,
      dataDir,
      listen: true,
      env: { RUN_SWEEP_MS: '200', SCHEDULE_TICK_MS: '200', WEBHOOK_RETRY_DELAY_SECONDS: '1' },
    });
    owner = await registerOwner(cloud);
    const received: string[] = [];
    const endpoint = createServer((req, res) => {
      req.on('data', (chunk: Buffer) => received.push(chunk.toString()));
      req.on('end', () => res.end());
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const post = (path: string, body: object) => cloud.post(path, body, owner.token);
    await post('/webhook/settings', { allowPrivateAddresses: true });
    await post('/webhook/create', { url: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/` });
    const device = await line(cloud.url, owner.token);
    await device.hello();
    answerEvery(device);
    const task = (await post('/task/create', { name: 'embedded', steps: [{ type: 'wait', ms: 1 }] })).data;
    const windows = await Promise.all(Array.from({ length: 3 }, () => createWindow(cloud, owner)));
    const body = { taskId: task.id, windowIds: windows.map((w) => w.id), devices: [owner.deviceId], concurrency: 2 };
    const started = await Promise.all(Array.from({ length: 12 }, () => post('/run/start', body)));
    expect(started.map((r) => r.code)).toEqual(Array(12).fill(0));
    for (const run of started)
      await waitFor(async () => (await post('/run/detail', { id: run.data.id })).data.status === 'succeeded', 60_000);

    const scheduled = await post('/schedule/set', { ...body, cron: '0 0 1 1 *', timezone: 'UTC' });
    await cloud.db.query(`UPDATE schedules SET next_at = now() - interval '1 minute' WHERE id = $1`, [scheduled.data.id]);
    await waitFor(async () => (await post('/schedule/list', {})).data.list[0].lastRunId !== null, 30_000);
    await waitFor(() => Promise.resolve(received.length >= 13), 60_000);
    expect(received.every((r) => r.includes('"type":"run.finished"'))).toBe(true);
    device.close();
    endpoint.close();
  });
});
