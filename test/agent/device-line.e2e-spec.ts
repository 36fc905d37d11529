import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess, spawnAgent } from '../support/agent-process';
import type { Envelope } from '../support/cloud-app';
import { Account, addMember, createWindow, registerOwner } from '../support/factories';
import { KillableCloud, startKillableCloud } from '../support/killable-cloud';
import { startUpgradeDroppingProxy } from '../support/upgrade-dropping-proxy';
import { waitFor } from '../support/wait-for';

jest.setTimeout(300_000);

// Heartbeats every second and offline after four, so the test waits past them in seconds.
const CLOUD_ENV = { DEVICE_HEARTBEAT_SECONDS: '1', DEVICE_OFFLINE_SECONDS: '4' };
const AGENT_ENV = { AGENT_LINE_RETRY_MS: '200' };

describe('two agents on the device line, driven from the cloud (real Firefox)', () => {
  let cloud: KillableCloud;
  let owner: Account;
  let member: Account;
  let a: AgentProcess;
  let b: AgentProcess | undefined;
  const folders = [
    mkdtempSync(join(tmpdir(), 'cos-line-a-')),
    mkdtempSync(join(tmpdir(), 'cos-line-b-')),
    mkdtempSync(join(tmpdir(), 'cos-line-c-')),
  ];

  /** A call to the cloud process the agents are on (its configuration is the one under test). */
  async function call<T = any>(path: string, body: object, token: string): Promise<Envelope<T>> {
    const res = await fetch(`${cloud.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Envelope<T>;
  }

  async function devices(): Promise<
    { deviceId: string; online: boolean; connectedAt: string | null; capacity: { windowsRunning: number } }[]
  > {
    return (await call('/device/list', {}, owner.token)).data.list;
  }

  async function running(agent: AgentProcess): Promise<string[]> {
    return (await agent.post('/browser/pids')).data.list.map((w: { uuid: string }) => w.uuid);
  }

  beforeAll(async () => {
    cloud = await startKillableCloud(CLOUD_ENV);
    owner = await registerOwner(cloud.cloud);
    member = await addMember(cloud.cloud, owner, { permissions: ['browser:open', 'browser:list'] });
    a = await spawnAgent({ cloudUrl: cloud.url, dataDir: folders[0], email: owner.email, password: owner.password, env: AGENT_ENV });
    b = await spawnAgent({ cloudUrl: cloud.url, dataDir: folders[1], email: member.email, password: member.password, env: AGENT_ENV });
  });
  afterAll(async () => {
    await a?.post('/browser/close/all').catch(() => undefined);
    await b?.post('/browser/close/all').catch(() => undefined);
    await a?.kill();
    await b?.kill();
    await cloud.close();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it("shows both devices online; a window opens and closes on the device asked, answered without the device's secrets", async () => {
    await waitFor(async () => (await devices()).filter((d) => d.online).length === 2);
    const listed = await devices();
    expect((await fetch(`${a.url}/health`).then((r) => r.json())).data.deviceLine).toBe('online');
    expect(listed.map((d) => d.deviceId).sort()).toEqual([a.deviceId, b!.deviceId].sort());
    expect(listed[0]).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), platform: `${process.platform}-${process.arch}` });
    const [w1, w2] = [await createWindow(cloud.cloud, owner), await createWindow(cloud.cloud, owner)];

    const opened = await call('/browser/open', { device: a.deviceId, uuid: w1.uuid }, owner.token);
    expect(opened).toMatchObject({ code: 0, data: { id: w1.id, uuid: w1.uuid, alreadyStarted: false, device: a.deviceId } });
    expect(Object.keys(opened.data).sort()).toEqual([
      'alreadyStarted',
      'commandId',
      'device',
      'fingerprintAdjustments',
      'id',
      'openedStatus',
      'uuid',
    ]);
    expect(JSON.stringify(opened)).not.toContain(a.token);
    expect(await running(a)).toEqual([w1.uuid]);
    // The owner manages the team: the member's device opens the other window; the member may not use the owner's.
    expect(await call('/browser/open', { device: b!.deviceId, id: w2.id }, owner.token)).toMatchObject({
      code: 0,
      data: { uuid: w2.uuid },
    });
    expect(await running(b!)).toEqual([w2.uuid]);
    expect(await call('/browser/open', { device: a.deviceId, uuid: w2.uuid }, member.token)).toMatchObject({
      code: 404,
      msg: `Device ${a.deviceId} not found`,
    });
    // The same window on the other device: the agent's own launch refuses, and its answer comes back.
    expect(await call('/browser/open', { device: b!.deviceId, uuid: w1.uuid }, owner.token)).toMatchObject({
      code: 409,
      data: { device: b!.deviceId },
    });
    await waitFor(async () => (await devices()).find((d) => d.deviceId === a.deviceId)!.capacity.windowsRunning === 1);

    expect(await call('/browser/close', { device: a.deviceId, uuid: w1.uuid }, owner.token)).toMatchObject({
      code: 0,
      data: { uuid: w1.uuid, closeError: 0, device: a.deviceId },
    });
    expect(await running(a)).toEqual([]);
    expect((await cloud.cloud.post('/browser/detail', { uuid: w1.uuid }, owner.token)).data.openStatus).toBe('closed');
    expect(await call('/browser/close', { device: b!.deviceId, uuid: w2.uuid }, member.token)).toMatchObject({ code: 0 });
  });

  it('behind a proxy that drops WebSocket upgrades, the agent long-polls and is driven all the same', async () => {
    const proxy = await startUpgradeDroppingProxy(cloud.url);
    const polling = await addMember(cloud.cloud, owner, { permissions: ['browser:open', 'browser:list'] });
    const c = await spawnAgent({
      cloudUrl: proxy.url,
      dataDir: folders[2],
      email: polling.email,
      password: polling.password,
      env: AGENT_ENV,
    });
    try {
      await waitFor(async () => (await fetch(`${c.url}/health`).then((r) => r.json())).data.deviceLine === 'polling');
      await waitFor(async () => (await devices()).find((d) => d.deviceId === c.deviceId)?.online === true);
      const w = await createWindow(cloud.cloud, owner);
      expect(await call('/browser/open', { device: c.deviceId, uuid: w.uuid }, polling.token)).toMatchObject({
        code: 0,
        data: { uuid: w.uuid },
      });
      expect(await running(c)).toEqual([w.uuid]);
      expect(await call('/browser/close', { device: c.deviceId, uuid: w.uuid }, polling.token)).toMatchObject({ code: 0 });
      expect(await running(c)).toEqual([]);
    } finally {
      await c.kill();
      await proxy.close();
    }
  });

  it('a killed agent is offline within the offline window; after a cloud restart the line comes back by itself', async () => {
    const killedDevice = b!.deviceId;
    await b!.kill();
    b = undefined;
    const killedAt = Date.now();
    await waitFor(async () => !(await devices()).find((d) => d.deviceId === killedDevice)!.online);
    // The offline window is 4 s; its check and this poll add a little.
    expect(Date.now() - killedAt).toBeLessThan(9_000);

    const before = (await devices()).find((d) => d.deviceId === a.deviceId)!.connectedAt;
    await cloud.process.kill();
    await cloud.restart();
    // The killed instance's line still reads online within the offline window (its last heartbeat):
    // the line that came back is the one the agent opened since, a later connectedAt.
    await waitFor(async () => {
      const device = (await devices()).find((d) => d.deviceId === a.deviceId);
      return device?.online === true && device.connectedAt !== before;
    }, 30_000);
    const w = await createWindow(cloud.cloud, owner);
    expect(await call('/browser/open', { device: a.deviceId, uuid: w.uuid }, owner.token)).toMatchObject({ code: 0, msg: 'success' });
    expect(await call('/browser/close', { device: a.deviceId, uuid: w.uuid }, owner.token)).toMatchObject({ code: 0, msg: 'success' });
  });
});

describe('the device line with access tokens shorter than its backoff (real agent)', () => {
  let cloud: KillableCloud;
  let agent: AgentProcess | undefined;
  const folder = mkdtempSync(join(tmpdir(), 'cos-line-ttl-'));

  afterAll(async () => {
    await agent?.kill();
    await cloud?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('after a cloud restart the agent renews its token and connects at once, not after a backoff its new token does not outlive', async () => {
    // Tokens live 2 s; a failed line waits 2–4 s, then more: waiting after each renewal, every attempt came with an expired token.
    cloud = await startKillableCloud({ ...CLOUD_ENV, ACCESS_TOKEN_TTL_SECONDS: '2' });
    const owner = await registerOwner(cloud.cloud);
    // An API token does not expire with the access tokens: the test's own calls keep working.
    const token = (await cloud.cloud.post('/auth/token/create', { name: 'line test' }, owner.token)).data.token as string;
    const online = async () => {
      const res = await fetch(`${cloud.url}/device/list`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: '{}',
      });
      const list = ((await res.json()) as Envelope<{ list: { deviceId: string; online: boolean }[] }>).data.list;
      return list.some((d) => d.deviceId === agent!.deviceId && d.online);
    };
    agent = await spawnAgent({
      cloudUrl: cloud.url,
      dataDir: folder,
      email: owner.email,
      password: owner.password,
      env: { AGENT_LINE_RETRY_MS: '4000' },
    });
    await waitFor(online, 30_000);
    await cloud.process.kill();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await cloud.restart();
    await waitFor(online, 45_000);
  });
});
