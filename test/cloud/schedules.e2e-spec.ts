import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createWindow, registerOwner, snapshot } from '../support/factories';
import { answerEvery, line, LineClient } from '../support/line-client';
import { waitFor } from '../support/wait-for';

const ENV = { DEVICE_HEARTBEAT_SECONDS: '1', DEVICE_OFFLINE_SECONDS: '600', RUN_SWEEP_MS: '200', SCHEDULE_TICK_MS: '100' };

/**
 * Schedules on two instances that both tick every 100 ms: each tick starts one run, however many
 * instances see it due; a tick an instance claimed and never fired is fired by another, still as
 * one run; a member who lost a right no longer runs through their schedule.
 */
describe('schedules: one run per tick across instances', () => {
  let a: CloudHarness;
  let b: CloudHarness;
  let owner: Account;
  let member: Account;
  let desk: LineClient;

  beforeAll(async () => {
    a = await startCloud({ listen: true, env: ENV });
    b = await startCloud({ listen: true, env: ENV, databaseUrl: a.config.env.DATABASE_URL, dataDir: a.dataDir });
    owner = await registerOwner(a);
    member = await addMember(a, owner, { permissions: ['task:run', 'browser:open', 'browser:list'] });
    desk = await line(b.url, member.token);
    await desk.hello();
    // The device does each run it is sent.
    answerEvery(desk);
  });
  afterAll(async () => {
    desk.ws.terminate();
    await b.close();
    await a.close();
  });

  const runsOf = async (taskId: number) =>
    (await a.post('/run/list', { pageSize: 100 }, member.token)).data.list.filter((r: { taskId: number }) => r.taskId === taskId);
  /** Makes the schedule's next tick now (a minute boundary need not pass in a test). */
  const due = (id: number, tick: string) => a.db.query(`UPDATE schedules SET next_at = $2::timestamptz WHERE id = $1`, [id, tick]);

  it('fires each tick once with two instances ticking, and says when it will fire next', async () => {
    const task = (await a.post('/task/create', { name: 'tick', steps: [{ type: 'wait', ms: 1 }] }, owner.token)).data;
    const w = await createWindow(a, owner);
    const set = await a.post(
      '/schedule/set',
      {
        taskId: task.id,
        windowIds: [w.id],
        devices: [member.deviceId],
        cron: '30 9 * * 1-5',
        timezone: 'Asia/Tokyo',
        secrets: { key: 'k-1' },
      },
      member.token,
    );
    expect(set.code).toBe(0);
    // 09:30 in Tokyo is 00:30 UTC, on a weekday.
    expect(new Date(set.data.nextAt).getUTCHours() * 60 + new Date(set.data.nextAt).getUTCMinutes()).toBe(30);
    expect(JSON.stringify(set.data)).not.toContain('k-1');
    expect(set.data.secretNames).toEqual(['key']);
    for (const [i, tick] of ['2026-01-05T00:30:00Z', '2026-01-06T00:30:00Z', '2026-01-07T00:30:00Z'].entries()) {
      await due(set.data.id, tick);
      await waitFor(async () => (await runsOf(task.id)).length === i + 1);
      await waitFor(async () => (await a.db.query(`SELECT firing_at FROM schedules WHERE id = $1`, [set.data.id]))[0].firing_at === null);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const runs = await runsOf(task.id);
    expect(runs).toHaveLength(3);
    await waitFor(async () => (await runsOf(task.id)).every((r: { status: string }) => r.status === 'succeeded'));
    const [row] = await a.db.query(`SELECT next_at, last_run_id, last_error FROM schedules WHERE id = $1`, [set.data.id]);
    expect(row.last_error).toBeNull();
    expect(new Date(row.next_at).getTime()).toBeGreaterThan(Date.now());
  });

  it('a tick claimed by an instance that died before firing is fired by another, as the one run of that tick', async () => {
    const task = (await a.post('/task/create', { name: 'retake', steps: [{ type: 'wait', ms: 1 }] }, owner.token)).data;
    const w = await createWindow(a, owner);
    const set = await a.post(
      '/schedule/set',
      { taskId: task.id, windowIds: [w.id], devices: [member.deviceId], cron: '0 0 1 1 *', timezone: 'UTC' },
      member.token,
    );
    await due(set.data.id, '2026-02-01T00:00:00Z');
    await waitFor(async () => (await runsOf(task.id)).length === 1);
    await waitFor(async () => (await a.db.query(`SELECT firing_at FROM schedules WHERE id = $1`, [set.data.id]))[0].firing_at === null);
    // As if an instance had claimed that tick again and died: it is fired again, and is the same run.
    await a.db.query(`UPDATE schedules SET firing_at = '2026-02-01T00:00:00Z' WHERE id = $1`, [set.data.id]);
    await waitFor(async () => (await a.db.query(`SELECT firing_at FROM schedules WHERE id = $1`, [set.data.id]))[0].firing_at === null);
    expect(await runsOf(task.id)).toHaveLength(1);
  });

  it('a member who lost browser:open: the tick runs nothing and the schedule says why', async () => {
    const task = (await a.post('/task/create', { name: 'rights', steps: [{ type: 'wait', ms: 1 }] }, owner.token)).data;
    const w = await createWindow(a, owner);
    const who = await addMember(a, owner, { permissions: ['task:run', 'browser:open', 'browser:list'] });
    const own = await line(a.url, who.token);
    await own.hello();
    const set = await a.post(
      '/schedule/set',
      { taskId: task.id, windowIds: [w.id], devices: [who.deviceId], cron: '0 0 1 1 *', timezone: 'UTC' },
      who.token,
    );
    expect(set.code).toBe(0);
    await a.post('/team/member/update', { userId: who.userId, permissions: ['task:run', 'browser:list'] }, owner.token);
    await due(set.data.id, '2026-03-01T00:00:00Z');
    await waitFor(async () =>
      (await a.post('/schedule/list', {}, owner.token)).data.list.some(
        (s: { id: number; lastError: string | null }) => s.id === set.data.id && s.lastError,
      ),
    );
    const listed = (await a.post('/schedule/list', {}, owner.token)).data.list.find((s: { id: number }) => s.id === set.data.id);
    expect(listed.lastError).toContain('browser:open required');
    expect((await a.post('/run/list', {}, owner.token)).data.list.filter((r: { taskId: number }) => r.taskId === task.id)).toHaveLength(0);
    own.ws.terminate();
  });

  it('a member who lost task:run: the tick runs nothing, though the route is not asked', async () => {
    const task = (await a.post('/task/create', { name: 'no task:run', steps: [{ type: 'wait', ms: 1 }] }, owner.token)).data;
    const w = await createWindow(a, owner);
    const who = await addMember(a, owner, { permissions: ['task:run', 'browser:open', 'browser:list'] });
    const own = await line(a.url, who.token);
    await own.hello();
    const set = await a.post(
      '/schedule/set',
      { taskId: task.id, windowIds: [w.id], devices: [who.deviceId], cron: '0 0 1 1 *', timezone: 'UTC' },
      who.token,
    );
    expect(set.code).toBe(0);
    await a.post('/team/member/update', { userId: who.userId, permissions: ['browser:open', 'browser:list'] }, owner.token);
    await due(set.data.id, '2026-04-01T00:00:00Z');
    await waitFor(async () =>
      (await a.post('/schedule/list', {}, owner.token)).data.list.some(
        (s: { id: number; lastError: string | null }) => s.id === set.data.id && s.lastError,
      ),
    );
    const listed = (await a.post('/schedule/list', {}, owner.token)).data.list.find((s: { id: number }) => s.id === set.data.id);
    expect(listed.lastError).toContain('task:run required');
    expect((await a.post('/run/list', {}, owner.token)).data.list.filter((r: { taskId: number }) => r.taskId === task.id)).toHaveLength(0);
    own.ws.terminate();
  });

  it('a tick that comes while its device is offline (a restart brings the cloud back first) waits for the device', async () => {
    const task = (await a.post('/task/create', { name: 'waits', steps: [{ type: 'wait', ms: 1 }] }, owner.token)).data;
    const w = await createWindow(a, owner);
    const who = await addMember(a, owner, { permissions: ['task:run', 'browser:open', 'browser:list'] });
    const first = await line(a.url, who.token);
    await first.hello();
    const set = await a.post(
      '/schedule/set',
      { taskId: task.id, windowIds: [w.id], devices: [who.deviceId], cron: '0 0 1 1 *', timezone: 'UTC' },
      who.token,
    );
    first.ws.terminate();
    await waitFor(async () => !(await a.post('/device/list', {}, who.token)).data.list[0].online);
    await due(set.data.id, new Date(Date.now() - 60_000).toISOString());
    await waitFor(async () =>
      String((await a.post('/schedule/list', {}, who.token)).data.list[0].lastError).startsWith('waiting for a device'),
    );
    expect((await a.post('/run/list', {}, owner.token)).data.list.filter((r: { taskId: number }) => r.taskId === task.id)).toHaveLength(0);
    // The device is back: the same tick runs, once.
    const back = await line(a.url, who.token);
    await back.hello();
    void (async () => {
      const command = await back.next('command', 30_000).catch(() => null);
      if (command) back.send({ type: 'answer', commandId: command.commandId, code: 0, msg: 'success', data: {} });
    })();
    await waitFor(
      async () => (await a.post('/run/list', {}, who.token)).data.list.filter((r: { taskId: number }) => r.taskId === task.id).length === 1,
    );
    await waitFor(async () => (await a.post('/schedule/list', {}, who.token)).data.list[0].lastError === null);
    back.ws.terminate();
  });

  it('refuses bad patterns, zones and runs when set, changing nothing; others see and delete only what they may', async () => {
    const task = (await a.post('/task/create', { name: 'refusals', steps: [{ type: 'type', selector: '#a', text: '{{v}}' }] }, owner.token))
      .data;
    const w = await createWindow(a, owner);
    const base = {
      taskId: task.id,
      windowIds: [w.id],
      devices: [member.deviceId],
      cron: '0 * * * *',
      timezone: 'UTC',
      variables: { v: 'x' },
    };
    const before = await snapshot(a);
    const refusals: [object, string][] = [
      [{ cron: '*/5 * * * * *' }, 'cron must have five fields'],
      [{ cron: '61 * * * *' }, 'cron:'],
      [{ cron: '0 0 30 2 *' }, 'cron'],
      [{ timezone: 'Mars/Olympus' }, 'timezone Mars/Olympus is not an IANA time zone'],
      [{ variables: {} }, 'variables without a value: v'],
      [{ devices: [owner.deviceId] }, `Device ${owner.deviceId} not found`],
      [{ id: 2147483647 }, 'Schedule 2147483647 not found'],
    ];
    for (const [change, msg] of refusals) {
      const res = await a.post('/schedule/set', { ...base, ...change }, member.token);
      expect([res.code === 0, res.msg]).toEqual([false, expect.stringContaining(msg)]);
    }
    expect(await snapshot(a)).toBe(before);
    const set = (await a.post('/schedule/set', base, member.token)).data;
    const other = await addMember(a, owner, { permissions: ['task:run', 'browser:open'] });
    expect((await a.post('/schedule/delete', { id: set.id }, other.token)).code).toBe(404);
    expect((await a.post('/schedule/list', {}, other.token)).data.list).toEqual([]);
    expect((await a.post('/schedule/delete', { id: set.id }, owner.token)).code).toBe(0);
  });
});
