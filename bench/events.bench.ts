/**
 * Live events: how long from a change's commit until each of 100 SSE subscribers has it, with the
 * built cloud in its own process on the local PostgreSQL; beside it, a bare LISTEN/NOTIFY round
 * trip between two `pg` connections in the same run.
 */
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { openEvents, SseClient } from '../test/support/sse';
import { freshDatabase, ms, postApi, ratio, stats, startProcess, table } from './support';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT = Number(process.env.BENCH_CLOUD_PORT ?? 3911);
const BASE = `http://127.0.0.1:${PORT}`;
const SUBSCRIBERS = 100;
const CHANGES = 100;

const api = (path: string, body: unknown, token?: string) => postApi(BASE, path, body, token);

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
    for (const client of clients) client.close();
    cloud.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
