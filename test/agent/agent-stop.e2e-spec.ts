import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess, spawnAgent } from '../support/agent-process';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createWindow, registerOwner } from '../support/factories';
import { firefoxPids } from '../support/firefox';

jest.setTimeout(180_000);

describe('an agent asked to stop (Ctrl-C, a service stop)', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let agent: AgentProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'cos-agent-stop-'));

  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    owner = await registerOwner(cloud);
  });
  afterAll(async () => {
    await agent?.kill();
    await cloud.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('closes and syncs its windows, ends its event streams and exits while a client still reads /events', async () => {
    agent = await spawnAgent({ cloudUrl: cloud.url, dataDir, email: owner.email, password: owner.password });
    const w = await createWindow(cloud, owner);
    const listener = new AbortController();
    const events = await fetch(`${agent.url}/events`, { headers: { 'X-Cos-Local-Token': agent.token }, signal: listener.signal });
    expect(events.status).toBe(200);
    const reader = events.body!.getReader();
    let received = '';
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (done) return true;
        received += Buffer.from(value!).toString();
      }
    })();
    expect((await agent.post('/browser/open', { uuid: w.uuid })).code).toBe(0);

    expect(await agent.stop('SIGINT', 60_000)).toBe(true);
    // The stream ended with the agent, after telling the close.
    expect(await Promise.race([reading, new Promise((resolve) => setTimeout(() => resolve(false), 5_000))])).toBe(true);
    expect(received).toContain('event: window.closed');
    expect(firefoxPids(dataDir)).toEqual([]);
    expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus).toBe('closed');
    listener.abort();
  });
});
