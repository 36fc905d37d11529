import { AgentEvents } from '../../apps/local-agent/src/events/agent-events';
import { AgentHarness, startAgent } from '../support/agent-app';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createWindow, registerOwner } from '../support/factories';
import { until } from '../support/firefox';
import { openEvents, SseClient } from '../support/sse';
import { openStalledStreams, StalledStreams } from '../support/stalled-streams';

jest.setTimeout(120_000);

/**
 * The agent's `GET /events` is bounded like the cloud's: a local program that opens stream after
 * stream is refused past the cap, and one that stops reading is cut off instead of being queued
 * every event for good, while the clients that read are not held back.
 */
describe('agent event streams: the cap and the client that does not read', () => {
  let cloud: CloudHarness;
  let agent: AgentHarness;
  let owner: Account;
  let stalled: StalledStreams | undefined;
  const clients: SseClient[] = [];
  const local = () => ({ 'X-Cos-Local-Token': agent.token });
  const open = async () => {
    const client = await openEvents(agent.url, local());
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    owner = await registerOwner(cloud);
    agent = await startAgent({
      cloudUrl: cloud.url,
      env: { AGENT_EVENTS_STREAMS_MAX: '3', AGENT_EVENTS_STREAM_BUFFER_BYTES: String(64 * 1024) },
    });
    await agent.login(owner.email, owner.password);
  });
  afterEach(async () => {
    stalled?.stop();
    stalled = undefined;
    for (const client of clients.splice(0)) client.close();
    const events = agent.app.get(AgentEvents);
    await until('every stream to be let go', () => Promise.resolve(events.size === 0), 10_000);
  });
  afterAll(async () => {
    await agent.close();
    await cloud.close();
  });

  it('answers a stream over AGENT_EVENTS_STREAMS_MAX with 429 naming the cap; closing one frees a place', async () => {
    const events = agent.app.get(AgentEvents);
    const first = await open();
    expect([first.status, (await open()).status, (await open()).status]).toEqual([200, 200, 200]);

    const over = await fetch(`${agent.url}/events`, { headers: local() });
    expect(over.status).toBe(429);
    expect(await over.json()).toEqual({
      code: 429,
      msg: 'Too many event streams for this agent (at most 3); close one first',
      data: { limit: 3 },
    });
    expect(events.size).toBe(3);

    first.close();
    await until('the closed stream to be let go', () => Promise.resolve(events.size === 2), 10_000);
    expect((await open()).status).toBe(200);
    // A HEAD takes no place and holds no connection.
    const head = await fetch(`${agent.url}/events`, { method: 'HEAD', headers: local() });
    expect([head.status, head.headers.get('content-type')]).toEqual([200, 'text/event-stream']);
    expect(events.size).toBe(3);
  });

  it('cuts a client that does not read, telling it where to resume; the others receive every event', async () => {
    const events = agent.app.get(AgentEvents);
    stalled = await openStalledStreams(agent.url, local(), 1);
    const reader = await open();

    // Six hundred events of two kilobytes, ten at a time as the reading client keeps up: over a
    // megabyte in all, far past what may wait for one client (64 KiB here).
    const filler = 'x'.repeat(2048);
    const uuid = '00000000-0000-4000-8000-000000000000';
    for (let i = 0; i < 600; i++) {
      events.emit('sync.pending', uuid, { error: filler, i });
      if (i % 10 === 9) await reader.waitFor((e) => e.data.data.i === i);
    }
    const last = await reader.waitFor((e) => e.data.data.i === 599, 30_000);
    expect(reader.events.filter((e) => e.data.uuid === uuid).map((e) => e.data.data.i)).toEqual([...Array(600).keys()]);

    // Its answer ends with where to resume; what was queued for it is let go.
    const { cuts } = await stalled.readToEnd();
    expect(cuts).toEqual([
      {
        code: 429,
        msg: expect.stringMatching(/^Events were not read fast enough; reconnect with Last-Event-ID: \d+$/),
        lastEventId: expect.any(Number),
      },
    ]);
    expect(cuts[0].lastEventId).toBeLessThan(last.id);
    await until('the cut stream to be let go', () => Promise.resolve(events.size === 1), 10_000);

    // The cut client resumes where it was cut and gets the rest.
    const resumed = await openEvents(agent.url, local(), cuts[0].lastEventId);
    clients.push(resumed);
    await resumed.waitFor((e) => e.id === last.id);
    expect(resumed.events.map((e) => e.id)).toEqual(
      Array.from({ length: last.id - cuts[0].lastEventId }, (_, i) => cuts[0].lastEventId + 1 + i),
    );

    // A window's real events still reach the reading client.
    const w = await createWindow(cloud, owner);
    expect((await agent.post('/browser/open', { uuid: w.uuid })).code).toBe(0);
    expect((await agent.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
    await reader.waitFor((e) => e.type === 'sync.done' && e.data.uuid === w.uuid, 30_000);
    expect(reader.events.filter((e) => e.data.uuid === w.uuid).map((e) => e.type)).toEqual(['window.opened', 'window.closed', 'sync.done']);
  });
});
