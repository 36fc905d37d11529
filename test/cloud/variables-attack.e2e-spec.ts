import { CloudHarness } from '../support/cloud-app';
import { startDeviceCloud } from '../support/device-cloud';
import { Account, addMember, createGroup, createWindow, snapshot } from '../support/factories';
import { LineClient } from '../support/line-client';
import { waitFor } from '../support/wait-for';

const ENV = { DEVICE_HEARTBEAT_SECONDS: '1', DEVICE_OFFLINE_SECONDS: '600', RUN_SWEEP_MS: '200' };

/**
 * Variables as a teammate with few rights, or a page during a run, would try them: a member
 * limited to some groups changes nothing that windows outside them are filled with, and a
 * secret repeated by a page in a form other than the typed text (the URL it landed on, a log
 * line cut in its middle) is still not readable in the run.
 */
describe('variables under attack', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let desk: LineClient;

  let close: () => Promise<void>;

  beforeAll(async () => ({ cloud, owner, desk, close } = await startDeviceCloud(ENV)));
  afterAll(() => close());

  const set = (body: object, by = owner) => cloud.post('/variable/set', body, by.token);

  it("a member limited to some groups neither sets nor deletes the team's values, which fill windows outside their scope", async () => {
    const group = await createGroup(cloud, owner);
    const outside = await createWindow(cloud, owner);
    expect((await set({ name: 'site', value: 'https://login.example' })).code).toBe(0);
    expect((await set({ name: 'password', value: 'team-secret-1', secret: true })).code).toBe(0);
    const scoped = await addMember(cloud, owner, { permissions: ['variable:manage', 'browser:list'], scope: 'groups', groupIds: [group] });
    const before = await snapshot(cloud);
    // The team's `site` fills every window without its own, `outside` too: pointing it elsewhere would send
    // the team's password to another site on the owner's next run there.
    expect((await set({ name: 'site', value: 'https://attacker.example' }, scoped)).code).not.toBe(0);
    expect((await cloud.post('/variable/delete', { name: 'password' }, scoped.token)).code).not.toBe(0);
    expect(await snapshot(cloud)).toBe(before);
    const team = (await cloud.post('/variable/list', {}, owner.token)).data.list;
    expect(team.find((v: { name: string }) => v.name === 'site').value).toBe('https://login.example');
    expect(outside.id).toBeGreaterThan(0);
  });

  it('a stored secret a page repeats URL-encoded, or that a log line is cut in, is not readable in the run', async () => {
    const w = await createWindow(cloud, owner);
    const password = 'p@ss w0rd/&Zq9!';
    expect((await set({ windowId: w.id, name: 'pw', value: password, secret: true })).code).toBe(0);
    const task = (
      await cloud.post(
        '/task/create',
        { name: 'encoded', steps: [{ type: 'type', selector: '#pw', text: '{{pw}}' }, { type: 'screenshot' }] },
        owner.token,
      )
    ).data;
    const started = await cloud.post('/run/start', { taskId: task.id, windowIds: [w.id], devices: [owner.deviceId] }, owner.token);
    expect(started.code).toBe(0);
    const command = await desk.next('command');
    expect(command.run.steps[0].text).toBe(password);
    // A login form sent by GET lands on a URL with the password in it, percent-encoded; the agent's log
    // line about that URL is longer than the 500 characters kept and the cut falls inside the secret.
    const landed = `https://login.example/done?user=a&pw=${encodeURIComponent(password)}`;
    desk.send({
      type: 'answer',
      commandId: command.commandId,
      code: 0,
      msg: 'success',
      data: {
        results: [
          { index: 0, type: 'type', ok: true, url: landed },
          { index: 1, type: 'screenshot', ok: true },
        ],
        log: [{ ms: 1, text: `${'x'.repeat(490)}${password}` }],
      },
    });
    await waitFor(async () => (await cloud.post('/run/detail', { id: started.data.id }, owner.token)).data.status === 'succeeded');
    const run = JSON.stringify((await cloud.post('/run/detail', { id: started.data.id }, owner.token)).data);
    expect(run).not.toContain(encodeURIComponent(password));
    expect(run).not.toContain(password.slice(0, 10));
  });

  it("a step that names a variable nobody keeps is refused at start, even one named like an Object's own member", async () => {
    const w = await createWindow(cloud, owner);
    const task = (
      await cloud.post('/task/create', { name: 'proto', steps: [{ type: 'type', selector: '#a', text: '{{constructor}}' }] }, owner.token)
    ).data;
    const before = await snapshot(cloud);
    expect(await cloud.post('/run/start', { taskId: task.id, windowIds: [w.id], devices: [owner.deviceId] }, owner.token)).toMatchObject({
      code: 211,
      msg: expect.stringContaining('variables without a value: constructor'),
    });
    expect(await snapshot(cloud)).toBe(before);
  });
});
