import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../../apps/local-agent/src/browser/firefox-process';
import { AgentProcess, spawnAgent } from '../support/agent-process';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createWindow, registerOwner } from '../support/factories';
import { firefoxPids } from '../support/firefox';
import { freePort } from '../support/proxies';
import { runUntilExit } from '../support/refused-start';

jest.setTimeout(300_000);

/** A second `npm start` beside a running one: it must leave the running agent's windows alone. */
describe('one agent per data folder', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let agent: AgentProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'cos-single-agent-'));

  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    owner = await registerOwner(cloud);
    agent = await spawnAgent({ cloudUrl: cloud.url, dataDir, email: owner.email, password: owner.password });
  });
  afterAll(async () => {
    await agent?.kill();
    await cloud.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = (port: number) => ({ AGENT_DATA_DIR: dataDir, CLOUD_URL: cloud.url, AGENT_HEADLESS: '1', AGENT_PORT: String(port) });

  it("refuses to start on a running agent's data folder, naming it, and the first agent's window runs on", async () => {
    const w = await createWindow(cloud, owner);
    expect((await agent!.post('/browser/open', { uuid: w.uuid })).code).toBe(0);
    const [firefox] = firefoxPids(dataDir);

    const second = await runUntilExit('local-agent', env(await freePort()));

    expect(second.code).not.toBe(0);
    expect(second.output).toContain(`cos agent already runs on this data folder ${dataDir} (pid ${agent!.pid}, 127.0.0.1:`);
    expect(second.output).toContain('AGENT_DATA_DIR and AGENT_PORT of its own');
    expect(second.output).not.toContain('unhandled rejection');
    expect(isAlive(firefox)).toBe(true);
    expect(firefoxPids(dataDir)).toEqual([firefox]);
    // Still usable: the running agent answers for it, and closes it.
    const open = await agent!.post('/browser/open', { uuid: w.uuid });
    expect(open).toMatchObject({ code: 0 });
    expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus).toBe('opened');
    expect((await agent!.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
  });

  it('takes over the folder of an agent that was killed, closing what it left', async () => {
    const w = await createWindow(cloud, owner);
    expect((await agent!.post('/browser/open', { uuid: w.uuid })).code).toBe(0);
    await agent!.kill();
    agent = await spawnAgent({ cloudUrl: cloud.url, dataDir, email: owner.email, password: owner.password });
    const deadline = Date.now() + 60_000;
    while (firefoxPids(dataDir).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(firefoxPids(dataDir)).toEqual([]);
  });

  it('names AGENT_PORT when only the port is taken', async () => {
    const other = mkdtempSync(join(tmpdir(), 'cos-single-agent-other-'));
    const taken: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const start = await runUntilExit('local-agent', { ...env(port), AGENT_DATA_DIR: other });
      expect(start.code).not.toBe(0);
      expect(start.output).toContain(`cos agent cannot listen on 127.0.0.1:${port}`);
      expect(start.output).toContain('AGENT_PORT');
      expect(start.output).not.toContain('unhandled rejection');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
      rmSync(other, { recursive: true, force: true });
    }
  });
});
