import { CloudHarness } from '../support/cloud-app';
import { startDeviceCloud } from '../support/device-cloud';
import { Account, addMember, createGroup, createWindow, snapshot } from '../support/factories';
import { LineClient } from '../support/line-client';
import { waitFor } from '../support/wait-for';

const ENV = { DEVICE_HEARTBEAT_SECONDS: '1', DEVICE_OFFLINE_SECONDS: '600', RUN_SWEEP_MS: '200' };

/**
 * Variables a team keeps: team-wide and per window, plain or secret. A run fills each window with
 * the team's, then the run's own, then the window's; stored secrets never come back in any answer,
 * audit row or run result; who may set them and on which windows.
 */
describe('variables', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let desk: LineClient;

  let close: () => Promise<void>;

  beforeAll(async () => ({ cloud, owner, desk, close } = await startDeviceCloud(ENV)));
  afterAll(() => close());

  const set = (body: object, by = owner) => cloud.post('/variable/set', body, by.token);

  it("fills each window with the team's values, the run's over them and the window's own over both; secrets never read back", async () => {
    const [a, b] = [await createWindow(cloud, owner), await createWindow(cloud, owner)];
    const password = 'team-pa55-Zq8';
    expect((await set({ name: 'site', value: 'https://team.example' })).code).toBe(0);
    expect((await set({ name: 'password', value: password, secret: true })).data).toEqual({
      name: 'password',
      windowId: null,
      secret: true,
    });
    expect((await set({ windowId: a.id, name: 'login', value: 'alice' })).code).toBe(0);
    expect((await set({ windowId: a.id, name: 'site', value: 'https://a.example' })).code).toBe(0);
    expect((await set({ windowId: b.id, name: 'login', value: 'bob' })).code).toBe(0);

    const team = (await cloud.post('/variable/list', {}, owner.token)).data;
    expect(team.list.map((v: { name: string; value: string | null; secret: boolean }) => [v.name, v.value, v.secret])).toEqual([
      ['password', null, true],
      ['site', 'https://team.example', false],
    ]);
    expect(JSON.stringify(team)).not.toContain(password);
    const own = (await cloud.post('/variable/list', { windowId: a.id }, owner.token)).data.list;
    expect(own.map((v: { name: string }) => v.name)).toEqual(['login', 'site']);

    const steps = [
      { type: 'navigate', url: '{{site}}/{{greeting}}' },
      { type: 'type', selector: '#login', text: '{{login}}' },
      { type: 'type', selector: '#password', text: '{{password}}' },
    ];
    const task = (await cloud.post('/task/create', { name: 'login', steps }, owner.token)).data;
    const started = await cloud.post(
      '/run/start',
      {
        taskId: task.id,
        windowIds: [a.id, b.id],
        devices: [owner.deviceId],
        concurrency: 2,
        variables: { greeting: 'hi', login: 'everyone' },
      },
      owner.token,
    );
    expect(started.code).toBe(0);
    const sent = [await desk.next('command'), await desk.next('command')];
    const byWindow = new Map(sent.map((c) => [c.window.id, c]));
    expect(byWindow.get(a.id).run.steps.map((s: { url?: string; text?: string }) => s.url ?? s.text)).toEqual([
      'https://a.example/hi',
      'alice',
      password,
    ]);
    expect(byWindow.get(b.id).run.steps.map((s: { url?: string; text?: string }) => s.url ?? s.text)).toEqual([
      'https://team.example/hi',
      'bob',
      password,
    ]);
    // A page that repeats the stored secret (a failure naming what was typed) does not make it readable in the run.
    for (const command of sent)
      desk.send({
        type: 'answer',
        commandId: command.commandId,
        code: 422,
        msg: `typed ${password} into #password`,
        data: { results: [{ index: 2, type: 'type', ok: false, value: password }], failed: { index: 2 } },
      });
    await waitFor(async () => (await cloud.post('/run/detail', { id: started.data.id }, owner.token)).data.status === 'failed');
    const run = (await cloud.post('/run/detail', { id: started.data.id }, owner.token)).data;
    expect(run.windows[0].error).toContain('typed [secret] into');
    const audit = await cloud.db.query(`SELECT data::text AS data FROM audit_events WHERE team_id = $1`, [owner.teamId]);
    const stored = await cloud.db.query(`SELECT value, sealed FROM variables WHERE team_id = $1 AND name = 'password'`, [owner.teamId]);
    for (const text of [JSON.stringify(run), JSON.stringify(audit), stored[0].sealed]) expect(text).not.toContain(password);
    expect(stored[0].value).toBeNull();
  });

  it('a run whose windows lack a value starts nothing and names the windows', async () => {
    const [a, b] = [await createWindow(cloud, owner), await createWindow(cloud, owner)];
    await set({ windowId: a.id, name: 'account', value: 'a-1' });
    // Each window keeps its own landing page: only the value one of them lacks is named, for that window.
    await set({ windowId: a.id, name: 'landing', value: 'https://a.example' });
    await set({ windowId: b.id, name: 'landing', value: 'https://b.example' });
    const steps = [
      { type: 'navigate', url: '{{landing}}/login' },
      { type: 'type', selector: '#a', text: '{{account}}' },
    ];
    const task = (await cloud.post('/task/create', { name: 'acct', steps }, owner.token)).data;
    const before = await snapshot(cloud);
    const body = { taskId: task.id, windowIds: [a.id, b.id], devices: [owner.deviceId] };
    const when = { cron: '0 3 * * *', timezone: 'Europe/Berlin' };
    for (const [path, extra] of [
      ['/run/start', {}],
      ['/schedule/set', when],
    ] as const) {
      const refused = await cloud.post(path, { ...body, ...extra }, owner.token);
      expect(refused).toMatchObject({ code: 211, msg: expect.stringContaining(`variables without a value: account`) });
      expect(refused.msg).toContain(`nor by window ${b.id} for account)`);
      expect(refused.msg).not.toContain('landing');
    }
    expect(await snapshot(cloud)).toBe(before);
    // Given with the run, every window has one: the schedule is set (a's own value still wins for a).
    expect(await cloud.post('/schedule/set', { ...body, ...when, variables: { account: 'shared' } }, owner.token)).toMatchObject({
      code: 0,
    });
  });

  it('who may set them, on which windows; bounds; bad values change nothing', async () => {
    const group = await createGroup(cloud, owner);
    const inside = await createWindow(cloud, owner, { groupId: group });
    const outside = await createWindow(cloud, owner);
    const scoped = await addMember(cloud, owner, { permissions: ['variable:manage', 'browser:list'], scope: 'groups', groupIds: [group] });
    const reader = await addMember(cloud, owner, { permissions: ['browser:list'] });
    const before = await snapshot(cloud);
    expect(await set({ name: 'x', value: 'y' }, reader)).toMatchObject({ code: 403, msg: expect.stringContaining('variable:manage') });
    expect(await set({ windowId: outside.id, name: 'x', value: 'y' }, scoped)).toMatchObject({ code: 404 });
    expect(await cloud.post('/variable/list', { windowId: outside.id }, scoped.token)).toMatchObject({ code: 404 });
    expect(await set({ name: '1x', value: 'y' })).toMatchObject({ code: 211, msg: expect.stringContaining('name must be letters') });
    expect(await set({ name: 'x', value: 'a\u0000b' })).toMatchObject({ code: 211, msg: expect.stringContaining('NUL') });
    expect(await set({ name: 'x', value: '\ud800' })).toMatchObject({ code: 211, msg: expect.stringContaining('unpaired') });
    expect(await set({ name: 'x', value: 'v'.repeat(10_001) })).toMatchObject({ code: 211 });
    expect(await set({ name: 'x', value: 7 })).toMatchObject({ code: 211 });
    expect(await set({ name: 'x', value: 'y', secret: 'yes' })).toMatchObject({ code: 211 });
    expect(await cloud.post('/variable/delete', { name: 'never' }, owner.token)).toMatchObject({ code: 404 });
    expect(await snapshot(cloud)).toBe(before);

    expect((await set({ windowId: inside.id, name: 'x', value: 'y' }, scoped)).code).toBe(0);
    for (let i = 1; i < 50; i++) expect((await set({ windowId: inside.id, name: `v${i}`, value: 'y' })).code).toBe(0);
    expect(await set({ windowId: inside.id, name: 'one_more', value: 'y' })).toMatchObject({
      code: 409,
      msg: expect.stringContaining('50'),
    });
    // Changing one that is there is not a new one.
    expect((await set({ windowId: inside.id, name: 'v1', value: 'z', secret: true })).code).toBe(0);
    expect((await cloud.post('/variable/delete', { windowId: inside.id, name: 'x' }, scoped.token)).code).toBe(0);
    const left = (await cloud.post('/variable/list', { windowId: inside.id }, scoped.token)).data.list;
    expect(left).toHaveLength(49);
    expect(left.find((v: { name: string }) => v.name === 'v1')).toMatchObject({ value: null, secret: true });
  });
});
