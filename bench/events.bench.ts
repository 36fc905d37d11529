/**
 * Live events: how long from a change's commit until each of 100 SSE subscribers has it, with the
 * built cloud in its own process on the local PostgreSQL; beside it, a bare LISTEN/NOTIFY round
 * trip between two `pg` connections in the same run. Then under attack: another team's calls
 * while one account holds 500 streams that never read and writes batches of 1,000 windows.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { openEvents, SseClient } from '../test/support/sse';
import { openStalledStreams } from '../test/support/stalled-streams';
import { bareNotify, freshDatabase, ms, postApi, ratio, seedWindows, stats, Stats, startProcess, table } from './support';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT = Number(process.env.BENCH_CLOUD_PORT ?? 3911);
const BASE = `http://127.0.0.1:${PORT}`;
const SUBSCRIBERS = 100;
const CHANGES = 100;
const STALLED = 500;
const VICTIM_CALLS = 300;

const api = (path: string, body: unknown, token?: string) => postApi(BASE, path, body, token);

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Another team's `/browser/list`, one call after another, while `load` runs beside it; answers their latencies and the cloud's peak RSS. */
async function victimCalls(pid: number, token: string, load: () => Promise<void>): Promise<{ latency: Stats; peakRss: number }> {
  let peakRss = rssMb(pid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 100);
  let running = true;
  const loader = (async () => {
    while (running) await load();
  })();
  const samples: number[] = [];
  try {
    for (let i = 0; i < VICTIM_CALLS; i++) {
      const start = performance.now();
      await api('/browser/list', {}, token);
      samples.push(performance.now() - start);
    }
  } finally {
    running = false;
    await loader;
    clearInterval(sampler);
  }
  return { latency: stats(samples), peakRss };
}

async function underAttack(url: string, pid: number): Promise<void> {
  const attacker = await api('/auth/register', { email: 'attacker@example.com', password: 'bench-password' });
  const victim = await api('/auth/register', { email: 'victim@example.com', password: 'bench-password' });
  const db = new Client({ connectionString: url });
  await db.connect();
  let ids: number[];
  try {
    for (const [email, count] of [
      ['attacker@example.com', 1000],
      ['victim@example.com', 50],
    ] as const) {
      const { rows } = await db.query(`SELECT id, team_id FROM users WHERE email = $1`, [email]);
      await seedWindows(db, rows[0].team_id, rows[0].id, count);
    }
    ids = (
      await db.query(`SELECT w.id FROM windows w JOIN users u ON u.team_id = w.team_id WHERE u.email = 'attacker@example.com'`)
    ).rows.map((r: { id: number }) => r.id);
  } finally {
    await db.end();
  }
  let round = 0;
  const batch = async () => void (await api('/browser/remark/update', { ids, remark: `round ${round++}` }, attacker.accessToken));
  const idle = async () => void (await new Promise((r) => setTimeout(r, 50)));

  const alone = await victimCalls(pid, victim.accessToken, idle);
  const batchesOnly = await victimCalls(pid, victim.accessToken, batch);
  // One client of the writing team reads its events: the cloud then reads and sends each batch.
  const reader = await openEvents(BASE, attacker.accessToken as string);
  const withReader = await victimCalls(pid, victim.accessToken, batch);
  const stalled = await openStalledStreams(BASE, attacker.accessToken as string, STALLED);
  // The streams are set up (a login check and a replay read each) before the batches start.
  await new Promise((r) => setTimeout(r, 10_000));
  let attacked: { latency: Stats; peakRss: number };
  let closed: number;
  try {
    attacked = await victimCalls(pid, victim.accessToken, batch);
  } finally {
    closed = await stalled.closedCount();
    stalled.stop();
    reader.close();
  }
  const row = (measure: string, run: { latency: Stats; peakRss: number }) => ({
    measure,
    p50: ms(run.latency.p50),
    p99: ms(run.latency.p99),
    'p99 vs alone': ratio(run.latency.p99, alone.latency.p99),
    'p99 vs batches read by one client': ratio(run.latency.p99, withReader.latency.p99),
    'cloud peak RSS': `${run.peakRss.toFixed(0)} MB`,
  });
  table([
    row(`another team's /browser/list, alone`, alone),
    row(`… while one team writes batches of 1,000 windows`, batchesOnly),
    row(`… and one of its clients reads their events`, withReader),
    row(`… and the team holds ${STALLED} more streams that never read`, attacked),
  ]);
  console.log(`${round} batches written; ${closed} of ${STALLED} stalled streams were cut by the cloud`);
}

async function main(): Promise<void> {
  const url = await freshDatabase(ADMIN_URL, 'cos_bench_events');
  const cloud = await startProcess(
    'dist/apps/cloud/apps/cloud/src/main.js',
    {
      DATABASE_URL: url,
      CLOUD_PORT: String(PORT),
      CLOUD_DATA_DIR: '/tmp/cos_bench_events',
      NODE_ENV: 'test',
      LOGIN_ADDRESS_THROTTLE_LIMIT: '100000',
      EVENTS_STREAMS_PER_SESSION: '1000',
      EVENTS_STREAMS_PER_USER: '1000',
      EVENTS_STREAMS_PER_TEAM: '1000',
    },
    `${BASE}/health`,
  );
  const clients: SseClient[] = [];
  try {
    const owner = await api('/auth/register', { email: 'events@example.com', password: 'bench-password' });
    for (let i = 0; i < SUBSCRIBERS; i++) clients.push(await openEvents(BASE, owner.accessToken as string));
    // The answer comes after the commit: its arrival is the latest the commit can have been.
    const delivery: number[] = [];
    const lastSubscriber: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const created = await api('/browser/update', { name: `w${i}` }, owner.accessToken);
      const committed = performance.now();
      const received = await Promise.all(
        clients.map((client) => client.waitFor((e) => e.type === 'window.created' && e.data.windowId === created.id)),
      );
      const list = received.map((event) => event.receivedAt);
      // Events can arrive before the answer does; count those as delivered at the commit.
      for (const at of list) delivery.push(Math.max(0, at - committed));
      lastSubscriber.push(Math.max(0, Math.max(...list) - committed));
    }
    const bare = stats(await bareNotify(url, CHANGES));
    const each = stats(delivery);
    const all = stats(lastSubscriber);
    table([
      {
        measure: `event to each of ${SUBSCRIBERS} subscribers`,
        p50: ms(each.p50),
        p99: ms(each.p99),
        'bare NOTIFY p50': ms(bare.p50),
        ratio: ratio(each.p50, bare.p50),
      },
      {
        measure: `event to the last of ${SUBSCRIBERS} subscribers`,
        p50: ms(all.p50),
        p99: ms(all.p99),
        'bare NOTIFY p50': ms(bare.p50),
        ratio: ratio(all.p50, bare.p50),
      },
    ]);
    for (const client of clients) client.close();
    await underAttack(url, cloud.pid!);
  } finally {
    for (const client of clients) client.close();
    cloud.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
