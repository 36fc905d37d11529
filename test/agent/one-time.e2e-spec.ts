import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../../apps/local-agent/src/browser/firefox-process';
import { AgentHarness, startAgent } from '../support/agent-app';
import { spawnAgent } from '../support/agent-process';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, registerOwner, snapshot } from '../support/factories';
import { until } from '../support/firefox';

jest.setTimeout(180_000);

describe('one-time windows: created, opened, and deleted for good once they close', () => {
  let cloud: CloudHarness;
  let agent: AgentHarness;
  let owner: Account;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    owner = await registerOwner(cloud);
    agent = await startAgent({ cloudUrl: cloud.url, env: { AGENT_OUTBOX_RETRY_MS: '200' } });
    await agent.login(owner.email, owner.password);
  });
  afterAll(async () => {
    await agent.post('/browser/close/all').catch(() => undefined);
    await agent.close();
    await cloud.close();
  });

  const rowsOf = async (uuid: string) => Number((await cloud.db.query(`SELECT count(*) AS n FROM windows WHERE uuid = $1`, [uuid]))[0].n);
  /** Whatever this device still keeps of the window, by file name. */
  const filesOf = (dataDir: string, uuid: string) =>
    ['browser-cache/firefox-profiles', 'uploaded-profile-zips', 'firefox-launch-configs', 'runtime', 'outbox', 'one-time'].flatMap((dir) =>
      readdirSync(join(dataDir, dir))
        .filter((f) => f.includes(uuid))
        .map((f) => `${dir}/${f}`),
    );

  it('a requested close deletes the window in the cloud (recycle bin included) and every file here', async () => {
    const opened = await agent.post('/browser/open', { oneTime: true, window: { name: 'checkout test', config: { syncCookies: true } } });
    expect(opened).toMatchObject({ code: 0, msg: 'Browser opened', data: { oneTime: true, alreadyStarted: false } });
    const { uuid, pid } = opened.data;
    const detail = await cloud.post('/browser/detail', { uuid }, owner.token);
    expect(detail.data).toMatchObject({ name: 'checkout test', openStatus: 'opened' });
    expect(filesOf(agent.dataDir, uuid).length).toBeGreaterThan(0);

    const closed = await agent.post('/browser/close', { uuid });
    expect(closed).toMatchObject({ code: 0, data: { oneTime: { deleted: true }, close: { killed: false } } });
    expect(isAlive(pid)).toBe(false);
    expect(await rowsOf(uuid)).toBe(0);
    expect(filesOf(agent.dataDir, uuid)).toEqual([]);
    const audit = await cloud.post('/audit/list', { kind: 'window.purged' }, owner.token);
    expect(audit.data.list.some((e: { windowId: number }) => e.windowId === Number(opened.data.id))).toBe(true);
  });

  it('a window closed by hand (Firefox ends by itself) is deleted the same way', async () => {
    const opened = await agent.post('/browser/open', { oneTime: true });
    expect(opened.code).toBe(0);
    const { uuid, pid } = opened.data;
    process.kill(pid, 'SIGTERM');
    await until('the one-time window deleted in the cloud', async () => (await rowsOf(uuid)) === 0);
    await until('its files removed', () => Promise.resolve(filesOf(agent.dataDir, uuid).length === 0));
  });

  it('a stopping agent closes and deletes its one-time windows', async () => {
    const opened = await agent.post('/browser/open', { oneTime: true, window: { name: 'closed with the agent' } });
    const { uuid, pid } = opened.data;
    await agent.stop();
    expect(isAlive(pid)).toBe(false);
    expect(await rowsOf(uuid)).toBe(0);
    expect(filesOf(agent.dataDir, uuid)).toEqual([]);
    agent = await startAgent({ cloudUrl: cloud.url, dataDir: agent.dataDir, env: { AGENT_OUTBOX_RETRY_MS: '200' } });
  });

  it('a window that ended while the agent was down (killed) is deleted by the next agent', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cos-agent-killed-'));
    const killed = await spawnAgent({ cloudUrl: cloud.url, dataDir, email: owner.email, password: owner.password });
    const opened = await killed.post('/browser/open', { oneTime: true, window: { name: 'outlives the agent' } });
    const { uuid, pid } = opened.data;
    await killed.kill();
    process.kill(pid, 'SIGKILL');
    await until('Firefox gone', () => Promise.resolve(!isAlive(pid)));
    expect(await rowsOf(uuid)).toBe(1);
    const next = await startAgent({ cloudUrl: cloud.url, dataDir, env: { AGENT_OUTBOX_RETRY_MS: '200' } });
    try {
      await until('the one-time window deleted by the next agent', async () => (await rowsOf(uuid)) === 0);
      await until('its files removed', () => Promise.resolve(filesOf(dataDir, uuid).length === 0));
    } finally {
      await next.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses, creating nothing: missing permissions, a window reference, settings that are not an object or that the cloud refuses', async () => {
    const member = await addMember(cloud, owner, {
      permissions: ['browser:create:single', 'browser:open', 'browser:delete:recycle'],
      scope: 'all',
    });
    const memberAgent = await startAgent({ cloudUrl: cloud.url });
    try {
      await memberAgent.login(member.email, member.password);
      const before = await snapshot(cloud);
      expect(await memberAgent.post('/browser/open', { oneTime: true })).toEqual({
        code: 403,
        msg: 'A one-time window needs the permission browser:delete:permanent',
        data: {},
      });
      const cases: [Record<string, unknown>, string][] = [
        [{ oneTime: true, uuid: '00000000-0000-4000-8000-000000000000' }, 'uuid: oneTime opens a new window'],
        [{ oneTime: true, window: [] }, 'window must be an object'],
        [{ oneTime: true, window: { id: 5 } }, 'window.id: a one-time window is a new one'],
        [{ oneTime: true, window: { name: 'x'.repeat(101) } }, 'name'],
        [{ oneTime: true, window: { name: 'ok', unknownField: 1 } }, 'unknownField'],
        [{ oneTime: 'yes' }, 'oneTime must be true or false'],
        [{ window: { name: 'x' } }, 'window (a new window'],
      ];
      for (const [body, msg] of cases) {
        const answer = await agent.post('/browser/open', body);
        expect([body, answer]).toEqual([body, { code: 211, msg: expect.stringContaining(msg), data: {} }]);
      }
      expect(await snapshot(cloud)).toBe(before);
      expect(readdirSync(join(agent.dataDir, 'one-time'))).toEqual([]);
    } finally {
      await memberAgent.close();
    }
  });

  it('a one-time window that cannot open is deleted at once', async () => {
    // A proxy nobody listens on: the open fails at its proxy check.
    const answer = await agent.post('/browser/open', {
      oneTime: true,
      window: { name: 'bad proxy', proxyMethod: 2, proxyType: 'http', host: '127.0.0.1', port: 9 },
    });
    expect(answer.code).toBe(211);
    const [{ n }] = await cloud.db.query(`SELECT count(*) AS n FROM windows WHERE name = 'bad proxy'`);
    expect(Number(n)).toBe(0);
    expect(readdirSync(join(agent.dataDir, 'one-time'))).toEqual([]);
    expect(existsSync(join(agent.dataDir, 'one-time'))).toBe(true);
  });
});
