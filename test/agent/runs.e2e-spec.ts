import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess, spawnAgent } from '../support/agent-process';
import type { Envelope } from '../support/cloud-app';
import { Account, createWindow, registerOwner } from '../support/factories';
import { KillableCloud, startKillableCloud } from '../support/killable-cloud';
import { startTestSite, TestSite } from '../support/test-site';
import { waitFor } from '../support/wait-for';

jest.setTimeout(400_000);

const CLOUD_ENV = { DEVICE_HEARTBEAT_SECONDS: '1', DEVICE_OFFLINE_SECONDS: '4', RUN_SWEEP_MS: '300' };
const AGENT_ENV = { AGENT_LINE_RETRY_MS: '200' };
const SECRET = 'pw-9f3a-never-shown';

interface WindowRun {
  windowId: number;
  deviceId: string;
  status: string;
  attempt: number;
  captured: Record<string, unknown> | null;
  results: { type: string; ok: boolean }[] | null;
  error: string | null;
  startedAt: string;
  finishedAt: string;
}

/**
 * Tasks run from the cloud on two real agents (two data folders, real Firefox): each window once,
 * within the run's concurrency; a cancel stops it; an agent killed mid-run leaves its window run
 * `agent_lost`, run again on that device once it is back; secrets are in no answer.
 */
describe('runs of tasks over windows on two devices (real Firefox)', () => {
  let cloud: KillableCloud;
  let owner: Account;
  let a: AgentProcess;
  let b: AgentProcess;
  let site: TestSite;
  const folders = [mkdtempSync(join(tmpdir(), 'cos-runs-a-')), mkdtempSync(join(tmpdir(), 'cos-runs-b-'))];

  async function call<T = any>(path: string, body: object, token = owner.token): Promise<Envelope<T>> {
    const res = await fetch(`${cloud.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Envelope<T>;
  }
  const detail = async (id: string) => (await call('/run/detail', { id })).data;
  async function ended(id: string, withinMs = 120_000) {
    await waitFor(async () => (await detail(id)).status !== 'running', withinMs, 300);
    return detail(id);
  }
  async function task(name: string, steps: object[], extra: object = {}): Promise<number> {
    const created = await call('/task/create', { name, steps, ...extra });
    expect(created.code).toBe(0);
    return created.data.id;
  }
  const online = async () => (await call('/device/list', {})).data.list.filter((d: { online: boolean }) => d.online).length;

  beforeAll(async () => {
    site = await startTestSite();
    cloud = await startKillableCloud(CLOUD_ENV);
    owner = await registerOwner(cloud.cloud);
    a = await spawnAgent({ cloudUrl: cloud.url, dataDir: folders[0], email: owner.email, password: owner.password, env: AGENT_ENV });
    b = await spawnAgent({ cloudUrl: cloud.url, dataDir: folders[1], email: owner.email, password: owner.password, env: AGENT_ENV });
    await waitFor(async () => (await online()) === 2);
  });
  afterAll(async () => {
    await a?.post('/browser/close/all').catch(() => undefined);
    await b?.post('/browser/close/all').catch(() => undefined);
    await a?.kill();
    await b?.kill();
    await cloud?.close();
    await site?.close();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('runs a task over 6 windows on two devices, 2 at a time, each window once, with captured values and no secret in any answer', async () => {
    const taskId = await task('sign in', [
      { type: 'navigate', url: '{{site}}/form' },
      { type: 'type', selector: '#user', text: '{{password}}' },
      { type: 'select', selector: '#plan', values: ['{{plan}}'] },
      { type: 'eval', code: "document.querySelector('#plan').value", as: 'plan' },
      { type: 'extract', selector: '#bottom', as: 'bottom' },
      { type: 'extract', selector: 'option', attribute: 'value', all: true, as: 'options' },
    ]);
    expect((await call('/task/detail', { id: taskId })).data.variables).toEqual(['site', 'password', 'plan']);
    const windows = await Promise.all(Array.from({ length: 6 }, () => createWindow(cloud.cloud, owner)));
    const started = await call('/run/start', {
      taskId,
      windowIds: windows.map((w) => w.id),
      devices: [a.deviceId, b.deviceId],
      concurrency: 2,
      variables: { site: site.url, plan: 'pro' },
      secrets: { password: SECRET },
      idempotencyKey: 'nightly-1',
    });
    expect(started.code).toBe(0);
    expect(started.data).toMatchObject({ status: 'running', concurrency: 2, secretNames: ['password'] });
    // The same key answers the same run.
    expect(
      (await call('/run/start', { taskId, windowIds: [windows[0].id], devices: [a.deviceId], idempotencyKey: 'nightly-1' })).data.id,
    ).toBe(started.data.id);

    const run = await ended(started.data.id);
    // A window that did not succeed is named with its device and cause, so a failure says why.
    const notDone = (run.windows as WindowRun[])
      .filter((w) => w.status !== 'succeeded')
      .map(({ windowId, deviceId, status, attempt, error }) => ({ windowId, deviceId, status, attempt, error }));
    expect({ status: run.status, notDone }).toEqual({ status: 'succeeded', notDone: [] });
    const runs: WindowRun[] = run.windows;
    expect(runs.map((w) => w.windowId).sort()).toEqual(windows.map((w) => w.id).sort());
    for (const w of runs) {
      expect(w).toMatchObject({ status: 'succeeded', attempt: 1, error: null });
      expect(w.captured).toEqual({ plan: 'pro', bottom: 'bottom', options: ['free', 'pro'] });
      expect(w.results!.map((r) => r.type)).toEqual(['navigate', 'type', 'select', 'eval', 'extract', 'extract']);
    }
    // Both devices took part, and never more than 2 windows of the run went on at once.
    expect(new Set(runs.map((w) => w.deviceId))).toEqual(new Set([a.deviceId, b.deviceId]));
    const moments = runs.flatMap((w) => [
      [Date.parse(w.startedAt), 1],
      [Date.parse(w.finishedAt), -1],
    ]);
    let atOnce = 0;
    let most = 0;
    for (const [, d] of moments.sort((x, y) => x[0] - y[0] || x[1] - y[1])) most = Math.max(most, (atOnce += d));
    expect(most).toBeLessThanOrEqual(2);
    // The windows the run opened are closed again.
    await waitFor(async () => (await a.post('/browser/pids')).data.list.length + (await b.post('/browser/pids')).data.list.length === 0);

    // The secret is in no answer, audit row or stored command.
    const everything = JSON.stringify([
      await detail(started.data.id),
      (await call('/run/list', {})).data,
      (await call('/audit/list', { pageSize: 200 })).data,
    ]);
    expect(everything).not.toContain(SECRET);
    const stored = await cloud.cloud.db.query(`SELECT payload FROM device_commands WHERE kind = 'run'`);
    expect(stored.length).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(stored)).not.toContain(SECRET);
    const events = (await call('/audit/list', { kind: 'run.window', pageSize: 50 })).data.list;
    expect(events.filter((e: { data: { runId: string } }) => e.data.runId === started.data.id)).toHaveLength(6);
  });

  it("what a hostile page says comes back storable, bounded and without the run's secrets, and never ends the device's line", async () => {
    const taskId = await task('hostile page', [
      { type: 'navigate', url: '{{site}}/form?t={{tok}}' },
      { type: 'eval', code: "'a' + String.fromCharCode(0) + 'b' + String.fromCharCode(0xd800) + 'C:\\\\u0000dir'", as: 'odd' },
      { type: 'eval', code: "location.search + ' ' + 'x'.repeat(70000)", as: 'big' },
      { type: 'eval', code: "(() => { throw new Error('E'.repeat(100000) + ' ' + location.search) })()" },
    ]);
    const w = await createWindow(cloud.cloud, owner);
    const started = await call('/run/start', {
      taskId,
      windowIds: [w.id],
      devices: [a.deviceId],
      variables: { site: site.url },
      secrets: { tok: SECRET },
    });
    const run = await ended(started.data.id);
    const [result] = run.windows as WindowRun[];
    // The page's error failed the window (not the line: the run was answered once, on its first try).
    expect(result).toMatchObject({ status: 'failed', attempt: 1 });
    expect(result.error!.length).toBeLessThanOrEqual(2000);
    expect(result.captured).toMatchObject({ odd: 'a\ufffdb\ufffdC:\\u0000dir' });
    expect(String(result.captured!.big)).toMatch(/^\[not sent: \d+ bytes\]$/);
    expect(JSON.stringify(run)).not.toContain(SECRET);
    expect(JSON.stringify(run)).toContain('t=[secret]');
    expect((await call('/device/list', {})).data.list.find((d: { deviceId: string }) => d.deviceId === a.deviceId).online).toBe(true);
    const stored = await cloud.cloud.db.query(`SELECT answer FROM device_commands WHERE kind = 'run'`);
    expect(JSON.stringify(stored)).not.toContain(SECRET);
  });

  it('a step that fails fails its window with the step named, a screenshot of the step and of the failure, and a log; it can be retried', async () => {
    const taskId = await task('missing', [
      { type: 'navigate', url: `${site.url}/form` },
      { type: 'screenshot' },
      { type: 'click', selector: '#nowhere', timeoutMs: 500 },
    ]);
    const w = await createWindow(cloud.cloud, owner);
    const started = await call('/run/start', { taskId, windowIds: [w.id], devices: [a.deviceId] });
    const run = await ended(started.data.id);
    expect(run.status).toBe('failed');
    expect(run.windows[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('Step 2 (click: selector #nowhere)') });
    expect(run.windows[0].results.map((r: { ok: boolean }) => r.ok)).toEqual([true, true]);
    // The screenshot step's image and the failure's are kept with the run, named by id (never carried in the answer).
    const shots: { id: string; step: number; width: number }[] = run.windows[0].shots;
    expect(shots.map((s) => s.step)).toEqual([1, 2]);
    expect(run.windows[0].results[1]).toMatchObject({ shot: shots[0].id });
    expect(JSON.stringify(run.windows[0].results)).not.toContain('iVBOR');
    for (const shot of shots) {
      const image = await fetch(`${cloud.url}/run/shot?id=${shot.id}`, { headers: { Authorization: `Bearer ${owner.token}` } });
      expect(image.headers.get('content-type')).toBe('image/png');
      expect(
        Buffer.from(await image.arrayBuffer())
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
      expect(shot.width).toBeGreaterThan(100);
    }
    const log = run.windows[0].log.map((l: { text: string }) => l.text);
    for (const line of [
      'opening the window',
      'step 1 (screenshot) done',
      'screenshot at step 1 kept',
      'screenshot at step 2 kept',
      'closed and synced',
    ])
      expect(log.some((text: string) => text.startsWith(line))).toBe(true);
    expect(log.find((text: string) => text.startsWith('failed: '))).toContain('#nowhere');
    const retried = await call('/run/retry', { id: started.data.id });
    expect(retried.data.status).toBe('running');
    expect((await ended(started.data.id)).windows[0]).toMatchObject({ status: 'failed', attempt: 2 });
  });

  it('a cancel stops the window running after its step and cancels the ones waiting', async () => {
    const taskId = await task('slow', [
      { type: 'navigate', url: `${site.url}/form` },
      { type: 'wait', ms: 1500 },
      { type: 'wait', ms: 1500 },
      { type: 'wait', ms: 1500 },
      { type: 'wait', ms: 1500 },
    ]);
    const windows = await Promise.all(Array.from({ length: 3 }, () => createWindow(cloud.cloud, owner)));
    const started = await call('/run/start', { taskId, windowIds: windows.map((w) => w.id), devices: [a.deviceId], concurrency: 1 });
    await waitFor(async () => (await detail(started.data.id)).windows.some((w: WindowRun) => w.status === 'running' && w.attempt === 1));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const canceled = await call('/run/cancel', { id: started.data.id });
    expect(canceled.data.status).toBe('canceled');
    await waitFor(async () => (await detail(started.data.id)).windows.every((w: WindowRun) => w.status === 'canceled'), 30_000);
    const run = await detail(started.data.id);
    const stopped = run.windows.find((w: WindowRun) => w.results);
    expect(stopped.results.length).toBeLessThan(5);
    expect(run.windows.filter((w: WindowRun) => w.attempt === 0)).toHaveLength(2);
    expect((await call('/run/cancel', { id: started.data.id })).code).toBe(409);
    await waitFor(async () => (await a.post('/browser/pids')).data.list.length === 0);
  });

  it('an agent killed mid-run: its window run is agent_lost, then run again on that device once it is back, never on the other', async () => {
    const taskId = await task(
      'long',
      [
        { type: 'navigate', url: `${site.url}/form` },
        { type: 'wait', ms: 8000 },
      ],
      { retries: 1 },
    );
    const w = await createWindow(cloud.cloud, owner);
    const started = await call('/run/start', { taskId, windowIds: [w.id], devices: [a.deviceId, b.deviceId] });
    await waitFor(async () => (await detail(started.data.id)).windows[0].status === 'running');
    const ranOn = (await detail(started.data.id)).windows[0].deviceId;
    const [lost, other] = ranOn === a.deviceId ? [a, b] : [b, a];
    // Its Firefox started (on a loaded machine that takes a while): the kill comes mid-step.
    await waitFor(async () => (await lost.post('/browser/pids')).data.list.length === 1, 60_000);
    await lost.kill();
    await waitFor(async () => (await detail(started.data.id)).windows[0].status === 'agent_lost', 30_000);
    // Offline, its device keeps the window run waiting: the other device never takes it.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await detail(started.data.id)).windows[0]).toMatchObject({ status: 'agent_lost', attempt: 1, deviceId: ranOn });
    expect((await other.post('/browser/pids')).data.list).toEqual([]);

    const back = await spawnAgent({
      cloudUrl: cloud.url,
      dataDir: lost.dataDir,
      email: owner.email,
      password: owner.password,
      env: AGENT_ENV,
    });
    if (lost === a) a = back;
    else b = back;
    expect(back.deviceId).toBe(ranOn);
    const run = await ended(started.data.id);
    expect(run.status).toBe('succeeded');
    expect(run.windows[0]).toMatchObject({ status: 'succeeded', attempt: 2, deviceId: ranOn });
  });
});
