import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createWindow, registerOwner, snapshot } from '../support/factories';
import { line, LineClient } from '../support/line-client';
import { waitFor } from '../support/wait-for';

const ENV = { DEVICE_HEARTBEAT_SECONDS: '1', DEVICE_OFFLINE_SECONDS: '600', RUN_SWEEP_MS: '200', RUNS_PER_DEVICE: '2' };
const STEPS = [{ type: 'navigate', url: '{{site}}/a' }];

/**
 * Runs as the cloud sees them, with devices that speak the line's protocol: who may start, see,
 * cancel and retry a run; what a device is sent (and never: a filled-in value that breaks the
 * allowlist); answers only from the device the window run was sent to; two instances.
 */
describe('runs: the cloud side', () => {
  let a: CloudHarness;
  let b: CloudHarness;
  let owner: Account;
  let member: Account;
  let bare: Account;
  const lines: LineClient[] = [];

  async function device(cloud: CloudHarness, account: Account): Promise<LineClient> {
    const client = await line(cloud.url, account.token);
    lines.push(client);
    await client.hello();
    return client;
  }
  const answer = (client: LineClient, command: { commandId: string }, code = 0, data: object = {}) =>
    client.send({ type: 'answer', commandId: command.commandId, code, msg: code === 0 ? 'success' : 'no', data });

  beforeAll(async () => {
    a = await startCloud({ listen: true, env: ENV });
    b = await startCloud({ listen: true, env: ENV, databaseUrl: a.config.env.DATABASE_URL, dataDir: a.dataDir });
    owner = await registerOwner(a);
    member = await addMember(a, owner, { permissions: ['task:run', 'browser:open', 'browser:list'] });
    bare = await addMember(a, owner, { permissions: ['task:run', 'browser:list'] });
  });
  afterEach(() => {
    for (const client of lines.splice(0)) client.ws.terminate();
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  async function task(steps: object[] = STEPS, extra: object = {}) {
    return (await a.post('/task/create', { name: `t${Math.random()}`, steps, ...extra }, owner.token)).data;
  }

  it('a run started on one instance reaches a device on the other; each window is sent once, within the device room; the answer ends it', async () => {
    const desk = await device(b, member);
    const t = await task();
    const windows = await Promise.all(Array.from({ length: 3 }, () => createWindow(a, owner)));
    const started = await a.post(
      '/run/start',
      {
        taskId: t.id,
        windowIds: windows.map((w) => w.id),
        devices: [member.deviceId],
        concurrency: 3,
        variables: { site: 'https://example.com' },
      },
      member.token,
    );
    expect(started.code).toBe(0);
    // RUNS_PER_DEVICE is 2: two are sent, the third waits for room.
    const first = [await desk.next('command'), await desk.next('command')];
    expect(first.map((c) => c.kind)).toEqual(['run', 'run']);
    expect(first[0].run).toEqual({ steps: [{ type: 'navigate', url: 'https://example.com/a' }], timeoutMs: 30_000 });
    await expect(desk.next('command', 1_000)).rejects.toThrow();
    answer(desk, first[0], 0, { results: [{ index: 0, type: 'navigate', ok: true }], captured: { x: 1 }, extra: 'dropped' });
    const third = await desk.next('command');
    answer(desk, first[1], 422, { results: [], failed: { index: 0 } });
    answer(desk, third);
    await waitFor(async () => (await a.post('/run/detail', { id: started.data.id }, member.token)).data.status !== 'running');
    const run = (await b.post('/run/detail', { id: started.data.id }, member.token)).data;
    expect(run).toMatchObject({ status: 'failed', counts: { succeeded: 2, failed: 1 } });
    expect(run.windows.map((w: { attempt: number }) => w.attempt)).toEqual([1, 1, 1]);
    expect(run.windows.find((w: { captured: unknown }) => w.captured && (w.captured as { x?: number }).x === 1)).toBeDefined();
  });

  it('a variable that would make a URL a file fails its window in the cloud; the device is sent nothing and keeps its line', async () => {
    const desk = await device(a, member);
    const t = await task();
    const w = await createWindow(a, owner);
    const started = await a.post(
      '/run/start',
      { taskId: t.id, windowIds: [w.id], devices: [member.deviceId], variables: { site: 'file:///etc' } },
      member.token,
    );
    await waitFor(async () => (await a.post('/run/detail', { id: started.data.id }, member.token)).data.status === 'failed');
    const run = (await a.post('/run/detail', { id: started.data.id }, member.token)).data;
    expect(run.windows[0]).toMatchObject({
      status: 'failed',
      attempt: 0,
      error: expect.stringContaining('steps[0].url must be an http(s) URL'),
    });
    await expect(desk.next('command', 500)).rejects.toThrow();
    expect(desk.ws.readyState).toBe(desk.ws.OPEN);
  });

  it("only the device a window run was sent to settles it; another member's device or line cannot", async () => {
    const desk = await device(a, member);
    const intruder = await device(a, owner);
    const t = await task();
    const w = await createWindow(a, owner);
    const started = await a.post(
      '/run/start',
      { taskId: t.id, windowIds: [w.id], devices: [member.deviceId], variables: { site: 'https://e.com' } },
      member.token,
    );
    const command = await desk.next('command');
    answer(intruder, command);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await a.post('/run/detail', { id: started.data.id }, member.token)).data.windows[0].status).toBe('running');
    answer(desk, command);
    await waitFor(async () => (await a.post('/run/detail', { id: started.data.id }, member.token)).data.status === 'succeeded');
  });

  it('who may: browser:open too; only devices one may drive; a run seen, canceled and retried by its starter or team:manage', async () => {
    const ownerDesk = await device(a, owner);
    const memberDesk = await device(a, member);
    const t = await task();
    const w = await createWindow(a, owner);
    const body = { taskId: t.id, windowIds: [w.id], variables: { site: 'https://e.com' } };
    const before = await snapshot(a);
    expect(await a.post('/run/start', { ...body, devices: [member.deviceId] }, bare.token)).toMatchObject({
      code: 403,
      msg: expect.stringContaining('browser:open'),
    });
    expect(await a.post('/run/start', { ...body, devices: [owner.deviceId] }, member.token)).toMatchObject({
      code: 404,
      msg: `Device ${owner.deviceId} not found`,
    });
    expect(await snapshot(a)).toBe(before);
    // The owner (team:manage) may drive the member's device.
    const started = await a.post('/run/start', { ...body, devices: [member.deviceId] }, owner.token);
    expect(started.code).toBe(0);
    const command = await memberDesk.next('command');
    expect((await a.post('/run/detail', { id: started.data.id }, member.token)).code).toBe(404);
    expect((await a.post('/run/cancel', { id: started.data.id }, member.token)).code).toBe(404);
    expect((await a.post('/run/list', {}, member.token)).data.list.map((r: { id: string }) => r.id)).not.toContain(started.data.id);
    const canceled = await a.post('/run/cancel', { id: started.data.id }, owner.token);
    expect(canceled.data.status).toBe('canceled');
    const cancel = await memberDesk.next('command');
    expect(cancel).toMatchObject({ kind: 'cancel', window: { id: w.id, uuid: w.uuid } });
    answer(memberDesk, command, 422, { canceled: true, results: [] });
    await waitFor(async () => (await a.post('/run/detail', { id: started.data.id }, owner.token)).data.windows[0].status === 'canceled');
    expect((await a.post('/run/retry', { id: started.data.id }, owner.token)).data.status).toBe('running');
    answer(memberDesk, await memberDesk.next('command'));
    await waitFor(async () => (await a.post('/run/detail', { id: started.data.id }, owner.token)).data.status === 'succeeded');
    expect((await a.post('/run/retry', { id: started.data.id }, owner.token)).code).toBe(409);
    void ownerDesk;
  });

  it("a page's text that only looks like a NUL is stored; a device sending real NULs or lone surrogates is refused by name", async () => {
    const desk = await device(a, member);
    const t = await task();
    const w = await createWindow(a, owner);
    const body = { taskId: t.id, windowIds: [w.id], devices: [member.deviceId], variables: { site: 'https://e.com' } };
    const started = await a.post('/run/start', body, member.token);
    answer(desk, await desk.next('command'), 0, { captured: { path: 'C:\\u0000dir' } });
    await waitFor(async () => (await a.post('/run/detail', { id: started.data.id }, member.token)).data.status === 'succeeded');
    expect((await a.post('/run/detail', { id: started.data.id }, member.token)).data.windows[0].captured).toEqual({ path: 'C:\\u0000dir' });
    const second = await a.post('/run/start', body, member.token);
    const command = await desk.next('command');
    const closed = desk.closed;
    desk.send(`{"type":"answer","commandId":"${command.commandId}","code":0,"msg":"ok","data":{"captured":{"v":"\\ud800"}}}`);
    expect((await closed).code).toBe(4400);
    expect(second.code).toBe(0);
  });

  it('a retry runs again only what the caller may still reach: a window moved out of their scope is not sent', async () => {
    const group = (await a.post('/group/add', { name: `g${Math.random()}` }, owner.token)).data.id;
    const other = (await a.post('/group/add', { name: `g${Math.random()}` }, owner.token)).data.id;
    const scoped = await addMember(a, owner, {
      permissions: ['task:run', 'browser:open', 'browser:list'],
      scope: 'groups',
      groupIds: [group],
    });
    const desk = await device(a, scoped);
    const t = await task();
    const w = await createWindow(a, owner, { groupId: group });
    const started = await a.post(
      '/run/start',
      { taskId: t.id, windowIds: [w.id], devices: [scoped.deviceId], variables: { site: 'https://e.com' } },
      scoped.token,
    );
    answer(desk, await desk.next('command'), 422, { results: [] });
    await waitFor(async () => (await a.post('/run/detail', { id: started.data.id }, scoped.token)).data.status === 'failed');
    expect((await a.post('/browser/update', { id: w.id, groupId: other }, owner.token)).code).toBe(0);
    const before = await snapshot(a);
    expect(await a.post('/run/retry', { id: started.data.id }, scoped.token)).toMatchObject({ code: 404 });
    expect(await snapshot(a)).toBe(before);
    await expect(desk.next('command', 800)).rejects.toThrow();
  });

  it("a command sent on a line whose end was never recorded (its instance died) is lost when the device's next line says hello", async () => {
    const desk = await device(a, member);
    const t = await task();
    const w = await createWindow(a, owner);
    const started = await a.post(
      '/run/start',
      { taskId: t.id, windowIds: [w.id], devices: [member.deviceId], variables: { site: 'https://e.com' } },
      member.token,
    );
    const command = await desk.next('command');
    // As a killed instance leaves it: the command sent on a line nobody holds any more, the device's row still naming it.
    await a.db.query(`UPDATE device_commands SET line_id = '00000000-0000-4000-8000-00000000dead' WHERE id = $1`, [command.commandId]);
    await a.db.query(`UPDATE devices SET line_id = '00000000-0000-4000-8000-00000000dead' WHERE device_id = $1`, [member.deviceId]);
    const again = await device(b, member);
    await waitFor(async () => (await a.post('/run/detail', { id: started.data.id }, member.token)).data.windows[0].status === 'agent_lost');
    // Nothing waits any more: the run ends (it stayed running for good before).
    await waitFor(async () => (await a.post('/run/detail', { id: started.data.id }, member.token)).data.status === 'failed');
    void again;
  });

  it('no two runs hold one window at once: the second waits for the first', async () => {
    const desk = await device(a, member);
    const t = await task();
    const w = await createWindow(a, owner);
    const body = { taskId: t.id, windowIds: [w.id], devices: [member.deviceId], variables: { site: 'https://e.com' } };
    const one = await a.post('/run/start', body, member.token);
    const two = await b.post('/run/start', body, member.token);
    const first = await desk.next('command');
    await expect(desk.next('command', 1_000)).rejects.toThrow();
    answer(desk, first);
    const second = await desk.next('command');
    answer(desk, second);
    for (const id of [one.data.id, two.data.id])
      await waitFor(async () => (await a.post('/run/detail', { id }, member.token)).data.status === 'succeeded');
  });

  it('the same idempotency key from two instances at once starts one run', async () => {
    await device(a, member);
    const t = await task();
    const w = await createWindow(a, owner);
    const body = {
      taskId: t.id,
      windowIds: [w.id],
      devices: [member.deviceId],
      variables: { site: 'https://e.com' },
      idempotencyKey: 'k-1',
    };
    const answers = await Promise.all([a.post('/run/start', body, member.token), b.post('/run/start', body, member.token)]);
    expect(answers.map((r) => r.code)).toEqual([0, 0]);
    expect(answers[0].data.id).toBe(answers[1].data.id);
    expect((await a.post('/run/list', {}, member.token)).data.list.filter((r: { taskId: number }) => r.taskId === t.id)).toHaveLength(1);
  });
});
