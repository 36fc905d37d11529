/**
 * Live events: how long from a change's commit until each of 100 SSE subscribers has it, with the
 * built cloud in its own process on the local PostgreSQL; beside it, a bare LISTEN/NOTIFY round
 * trip between two `pg` connections in the same run.
 */
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { freshDatabase, ms, ratio, stats, startProcess, table } from './support';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT = Number(process.env.BENCH_CLOUD_PORT ?? 3911);
const BASE = `http://127.0.0.1:${PORT}`;
const SUBSCRIBERS = 100;
const CHANGES = 100;

async function api(path: string, body: unknown, token?: string) {
  const res = await fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { code: number; msg: string; data: any };
  if (json.code !== 0) throw new Error(`${path}: ${json.msg}`);
  return json.data;
}

/** One subscriber: records when each window.created event for a window id arrives. */
async function subscribe(token: string, arrivals: Map<number, number[]>, abort: AbortSignal): Promise<void> {
  const res = await fetch(`${BASE}/events`, { headers: { Authorization: `Bearer ${token}` }, signal: abort });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data:'));
          if (!data) continue;
          const event = JSON.parse(data.slice(5)) as { kind: string; windowId: number };
          if (event.kind !== 'window.created') continue;
          const list = arrivals.get(event.windowId) ?? [];
          list.push(performance.now());
          arrivals.set(event.windowId, list);
        }
      }
    } catch {
      // aborted at the end
    }
  })();
}

async function bareNotify(url: string): Promise<number[]> {
  const listener = new Client({ connectionString: url });
  const sender = new Client({ connectionString: url });
  await Promise.all([listener.connect(), sender.connect()]);
  await listener.query('LISTEN bench');
  const samples: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const heard = new Promise<number>((resolve) => listener.once('notification', () => resolve(performance.now())));
    const start = performance.now();
    await sender.query(`SELECT pg_notify('bench', $1)`, [String(i)]);
    samples.push((await heard) - start);
  }
  await Promise.all([listener.end(), sender.end()]);
  return samples;
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
    },
    `${BASE}/health`,
  );
  const abort = new AbortController();
  try {
    const owner = await api('/auth/register', { email: 'events@example.com', password: 'bench-password' });
    const arrivals = new Map<number, number[]>();
    for (let i = 0; i < SUBSCRIBERS; i++) await subscribe(owner.accessToken, arrivals, abort.signal);
    // The answer comes after the commit: its arrival is the latest the commit can have been.
    const delivery: number[] = [];
    const lastSubscriber: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const created = await api('/browser/update', { name: `w${i}` }, owner.accessToken);
      const committed = performance.now();
      const deadline = Date.now() + 10_000;
      while ((arrivals.get(created.id)?.length ?? 0) < SUBSCRIBERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      const list = arrivals.get(created.id) ?? [];
      if (list.length < SUBSCRIBERS) throw new Error(`only ${list.length} of ${SUBSCRIBERS} subscribers got window ${created.id}`);
      // Events can arrive before the answer does; count those as delivered at the commit.
      for (const at of list) delivery.push(Math.max(0, at - committed));
      lastSubscriber.push(Math.max(0, Math.max(...list) - committed));
    }
    const bare = stats(await bareNotify(url));
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
  } finally {
    abort.abort();
    cloud.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
