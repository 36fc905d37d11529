import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EventHub } from '../../apps/cloud/src/events/event-hub';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { Account, addMember, createWindow, registerOwner } from '../support/factories';
import { until } from '../support/firefox';
import { openEvents, SseClient } from '../support/sse';
import { openStalledStreams, StalledStreams } from '../support/stalled-streams';

/** Batches of a thousand window changes: past the 512 KiB each stalled stream may be owed by the third. */
const ROUNDS = 4;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = () => {
  gc();
  const usage = process.memoryUsage();
  return (usage.heapUsed + usage.external) / 2 ** 20;
};

/**
 * An attacker who only registered an account: hundreds of event streams that never read, and
 * batch updates of a thousand windows. What waits for them stays bounded, they are cut off, and
 * another team's calls still answer.
 */
describe('event streams under hostile load', () => {
  let database: TestDatabase;
  let cloud: CloudHarness;
  let attacker: Account;
  let victim: Account;
  let ids: number[];
  let stalled: StalledStreams | undefined;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    cloud = await startCloud({
      databaseUrl: database.url,
      listen: true,
      env: {
        JWT_SECRET: randomBytes(32).toString('hex'),
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        EVENTS_STREAMS_PER_SESSION: '1000',
        EVENTS_STREAMS_PER_USER: '1000',
        EVENTS_STREAMS_PER_TEAM: '1000',
        EVENTS_STREAM_BUFFER_BYTES: String(512 * 1024),
      },
    });
    attacker = await registerOwner(cloud);
    victim = await registerOwner(cloud);
    await createWindow(cloud, attacker);
    const [{ team_id: team }] = await cloud.db.query(`SELECT team_id FROM users WHERE id = $1`, [attacker.userId]);
    const rows = await cloud.db.query<{ id: number }[]>(
      `INSERT INTO windows (team_id, seq, name) SELECT $1, 1000 + g, 'batch ' || g FROM generate_series(1, 999) g RETURNING id`,
      [team],
    );
    ids = [...rows.map((r) => r.id), (await cloud.db.query(`SELECT min(id) AS id FROM windows WHERE team_id = $1`, [team]))[0].id];
    for (let i = 0; i < 5; i++) await createWindow(cloud, victim);
  });
  afterAll(async () => {
    stalled?.stop();
    for (const client of clients) client.close();
    await cloud.close();
    await database.drop();
  });

  it('500 streams that never read plus batch writes: memory stays bounded, the streams are cut, other teams answer', async () => {
    const hub = cloud.app.get(EventHub);
    const before = heapMb();
    stalled = await openStalledStreams(cloud.url, attacker.token, 500);
    const reader = await openEvents(cloud.url, attacker.token);
    clients.push(reader);
    await until('every stream to be open', () => Promise.resolve(hub.size === 501), 30_000);

    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed / 2 ** 20)), 50);
    const victimTimes: number[] = [];
    const victimCodes: number[] = [];
    let attacking = true;
    const victimCalls = (async () => {
      while (attacking) {
        const start = performance.now();
        victimCodes.push((await cloud.post('/browser/list', {}, victim.token)).code);
        victimTimes.push(performance.now() - start);
      }
    })();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const answer = await cloud.post('/browser/remark/update', { ids, remark: `round ${round}` }, attacker.token);
        expect(answer.code).toBe(0);
      }
      const [{ last }] = await cloud.db.query(`SELECT max(id)::int AS last FROM audit_events`);
      await reader.waitFor((e) => e.id === last, 60_000);
    } finally {
      attacking = false;
      clearInterval(sampler);
      await victimCalls;
    }

    // Cut, then dropped once their grace is over: only the reading client is left.
    await until('the stalled streams to be dropped', () => Promise.resolve(hub.size === 1), 30_000);
    const after = heapMb();
    expect(await stalled.closedCount()).toBe(500);
    const sorted = [...victimTimes].sort((a, b) => a - b);
    console.log(
      `heap+external before ${before.toFixed(0)} MB, peak heap ${peak.toFixed(0)} MB, after ${after.toFixed(0)} MB; ` +
        `other team: ${victimTimes.length} calls, p50 ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
    );
    // Each stream holds a socket's worth of events and references to shared ones; the old path queued a copy of every event for each.
    expect(peak - before).toBeLessThan(300);
    expect(after - before).toBeLessThan(60);
    expect(victimCodes.length).toBeGreaterThan(0);
    expect(victimCodes.every((code) => code === 0)).toBe(true);
    // The reading client got every event of the three batches, in order.
    const remarks = reader.events.filter((e) => e.type === 'window.updated');
    expect(remarks).toHaveLength(ROUNDS * 1000);
    expect(remarks.map((e) => e.id)).toEqual([...remarks.map((e) => e.id)].sort((a, b) => a - b));
  }, 240_000);

  it('caps the streams of a session, a user and a team (429, saying which), and frees a place when one closes', async () => {
    const capped = await startCloud({
      databaseUrl: database.url,
      listen: true,
      env: {
        JWT_SECRET: cloud.config.env.JWT_SECRET!,
        ENCRYPTION_KEY: cloud.config.env.ENCRYPTION_KEY!,
        EVENTS_STREAMS_PER_SESSION: '2',
        EVENTS_STREAMS_PER_USER: '3',
        EVENTS_STREAMS_PER_TEAM: '4',
      },
    });
    const opened: SseClient[] = [];
    const open = async (token: string) => {
      const client = await openEvents(capped.url, token);
      opened.push(client);
      return client.status;
    };
    const refused = async (token: string) => {
      const res = await fetch(`${capped.url}/events`, { headers: { Authorization: `Bearer ${token}` } });
      // Too many: HTTP 429 with the envelope's code 429, as every limit of the API answers.
      return { status: res.status, body: (await res.json()) as { code: number; msg: string } };
    };
    try {
      const owner = await registerOwner(capped);
      const login = async () =>
        (await capped.post('/auth/login', { email: owner.email, password: owner.password })).data.accessToken as string;
      const [first, second] = [await login(), await login()];
      expect([await open(first), await open(first)]).toEqual([200, 200]);
      expect(await refused(first)).toEqual({
        status: 429,
        body: expect.objectContaining({ code: 429, msg: expect.stringMatching(/session.*at most 2/) }),
      });
      expect(await open(second)).toBe(200);
      expect(await refused(second)).toEqual({
        status: 429,
        body: expect.objectContaining({ code: 429, msg: expect.stringMatching(/user.*at most 3/) }),
      });
      const member = await addMember(capped, owner, { permissions: ['browser:list'] });
      expect(await open(member.token)).toBe(200);
      expect(await refused(member.token)).toEqual({
        status: 429,
        body: expect.objectContaining({ code: 429, msg: expect.stringMatching(/team.*at most 4/) }),
      });
      // Another team is not held back by this one's streams.
      const other = await registerOwner(capped);
      expect(await open(other.token)).toBe(200);

      opened[0].close();
      const hub = capped.app.get(EventHub);
      await until('the closed stream to be let go', () => Promise.resolve(hub.size === 4), 10_000);
      expect(await open(first)).toBe(200);
      // A HEAD takes no place and holds no connection.
      const head = await fetch(`${capped.url}/events`, { method: 'HEAD', headers: { Authorization: `Bearer ${other.token}` } });
      expect([head.status, head.headers.get('content-type')]).toEqual([200, 'text/event-stream']);
      expect(hub.size).toBe(5);
    } finally {
      for (const client of opened) client.close();
      await capped.close();
    }
  });
});
