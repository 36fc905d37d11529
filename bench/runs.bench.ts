/**
 * Runs: two built cloud instances in their own processes on one local PostgreSQL, two devices on
 * the line (one held by each instance) that answer every run command at once. Measured: a run
 * started on instance B → its command at the device (the target is p99 < 1 s); 1,000 one-window
 * runs across both devices (throughput, each sent once, none lost); the claim rate of the run
 * dispatch's queue (device_commands, SKIP LOCKED) beside pg-boss's own on the same database; and a
 * webhook's delivery on loopback, from the device's last answer to the endpoint.
 */
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import PgBoss from 'pg-boss';
import { HEARTBEAT, line, LineClient } from '../test/support/line-client';
import { freshDatabase, ms, postApi, ratio, startProcess, stats, table } from './support';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BASE_PORT = Number(process.env.BENCH_CLOUD_PORT ?? 3941);
const [A, B] = [BASE_PORT, BASE_PORT + 1].map((port) => `http://127.0.0.1:${port}`);
const SAMPLES = 200;
const RUNS = 1_000;
const CLAIMS = 5_000;
const HOOKS = 50;

/** A device that answers each run command as it comes, noting when (and that it came once). */
function answering(device: LineClient, seen: Map<string, number>, answered: () => void): void {
  device.ws.on('message', (data) => {
    const message = JSON.parse((data as Buffer).toString('utf8')) as { type: string; commandId: string };
    if (message.type !== 'command') return;
    if (seen.has(message.commandId)) throw new Error(`command ${message.commandId} sent twice`);
    seen.set(message.commandId, performance.now());
    device.send({ type: 'answer', commandId: message.commandId, code: 0, msg: 'success', data: { results: [] } });
    answered();
  });
}

/** Claims per second: `take` run `CLAIMS` times over, one at a time. */
async function rate(take: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < CLAIMS; i++) await take();
  return CLAIMS / ((performance.now() - start) / 1000);
}

async function claimRates(url: string): Promise<{ ours: number; boss: number }> {
  const db = new Client({ connectionString: url });
  await db.connect();
  const [{ device_id: deviceId }] = (await db.query(`SELECT device_id FROM devices ORDER BY device_id LIMIT 1`)).rows as {
    device_id: string;
  }[];
  await db.query(
    `INSERT INTO device_commands (id, team_id, device_id, actor_id, kind, window_id, window_uuid, deadline_at)
     SELECT gen_random_uuid(), d.team_id, d.device_id, d.user_id, 'run', 1, gen_random_uuid(), now() + interval '1 hour'
     FROM (SELECT * FROM devices WHERE device_id = $2) d, generate_series(1, $1)`,
    [CLAIMS, deviceId],
  );
  // Claimed, then answered: two statements, as pg-boss's fetch and complete are.
  const ours = await rate(async () => {
    const { rows } = await db.query(
      `UPDATE device_commands SET status = 'sent', sent_at = now() WHERE id IN (SELECT id FROM device_commands
        WHERE device_id = $1 AND status = 'queued' AND deadline_at > now() ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id`,
      [deviceId],
    );
    await db.query(`UPDATE device_commands SET status = 'answered', answered_at = now() WHERE id = $1`, [(rows[0] as { id: string }).id]);
  });
  await db.end();
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss_bench', schedule: false, supervise: false });
  await boss.start();
  await boss.createQueue('bench');
  await boss.insert(Array.from({ length: CLAIMS }, () => ({ name: 'bench', data: {} })));
  const bossRate = await rate(async () => {
    const [job] = await boss.fetch('bench');
    if (job) await boss.complete('bench', job.id);
  });
  await boss.stop({ graceful: false });
  return { ours, boss: bossRate };
}

async function main(): Promise<void> {
  const url = await freshDatabase(ADMIN_URL, 'cos_bench_runs');
  const env = (port: number) => ({
    DATABASE_URL: url,
    CLOUD_PORT: String(port),
    CLOUD_DATA_DIR: '/tmp/cos_bench_runs',
    NODE_ENV: 'test',
    JWT_SECRET: 'bench-runs-secret-bench-runs-secret',
    ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
    LOGIN_ADDRESS_THROTTLE_LIMIT: '100000',
    RUNS_PER_DEVICE: '8',
  });
  const first = await startProcess('dist/apps/cloud/apps/cloud/src/main.js', env(BASE_PORT), `${A}/health`);
  const second = await startProcess('dist/apps/cloud/apps/cloud/src/main.js', env(BASE_PORT + 1), `${B}/health`);
  try {
    const owner = await postApi(A, '/auth/register', { email: 'runs@example.com', password: 'bench-password' });
    const token = owner.accessToken as string;
    const other = await postApi(B, '/auth/login', { email: 'runs@example.com', password: 'bench-password' });
    const seen = new Map<string, number>();
    let answers = 0;
    const devices = [await line(A, token), await line(B, other.accessToken as string)];
    for (const device of devices) {
      await device.hello();
      answering(device, seen, () => (answers += 1));
    }
    // The devices keep saying they are there, as agents do.
    const beats = setInterval(() => devices.forEach((d) => d.send(HEARTBEAT)), 5_000);
    const deviceIds = [owner.deviceId as string, other.deviceId as string];
    const task = await postApi(A, '/task/create', { name: 'bench', steps: [{ type: 'wait', ms: 1 }] }, token);
    const windows: { id: number }[] = [];
    for (let i = 0; i < 100; i++) windows.push(await postApi(A, '/browser/update', { name: `w${i}` }, token));

    // A run started on B, its window's command at the device held by A.
    const toDevice: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const before = seen.size;
      const start = performance.now();
      await postApi(B, '/run/start', { taskId: task.id, windowIds: [windows[i % 100].id], devices: [deviceIds[0]] }, token);
      while (seen.size === before) await new Promise((resolve) => setImmediate(resolve));
      toDevice.push([...seen.values()].pop()! - start);
    }
    const dispatch = stats(toDevice);

    // 1,000 one-window runs across both devices, started half on each instance.
    const burstStart = performance.now();
    const started: string[] = [];
    for (let i = 0; i < RUNS; i += 20)
      started.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, j) =>
            postApi(
              (i + j) % 2 ? A : B,
              '/run/start',
              { taskId: task.id, windowIds: [windows[(i + j) % 100].id], devices: deviceIds },
              token,
            ).then((r) => r.id as string),
          ),
        )),
      );
    const client = new Client({ connectionString: url });
    await client.connect();
    const ended = async () =>
      Number((await client.query(`SELECT count(*) FROM runs WHERE id = ANY($1::uuid[]) AND status <> 'running'`, [started])).rows[0].count);
    while ((await ended()) < RUNS) await new Promise((resolve) => setTimeout(resolve, 200));
    const burstMs = performance.now() - burstStart;
    const [counts] = (
      await client.query(
        `SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS ok, count(*) FILTER (WHERE attempt <> 1)::int AS again
         FROM run_windows WHERE run_id = ANY($1::uuid[])`,
        [started],
      )
    ).rows as { ok: number; again: number }[];

    // A webhook on loopback: from the device's answer to the endpoint.
    await postApi(A, '/webhook/settings', { allowPrivateAddresses: true }, token);
    const arrivals: number[] = [];
    const endpoint = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        arrivals.push(performance.now());
        res.end();
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    await postApi(A, '/webhook/create', { url: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/` }, token);
    const delivery: number[] = [];
    for (let i = 0; i < HOOKS; i++) {
      const before = answers;
      const got = arrivals.length;
      await postApi(A, '/run/start', { taskId: task.id, windowIds: [windows[i].id], devices: [deviceIds[0]] }, token);
      while (answers === before) await new Promise((resolve) => setImmediate(resolve));
      const answeredAt = performance.now();
      while (arrivals.length === got) await new Promise((resolve) => setTimeout(resolve, 5));
      delivery.push(arrivals[got] - answeredAt);
    }
    endpoint.close();
    await client.end();
    clearInterval(beats);
    for (const device of devices) device.close();
    const claims = await claimRates(url);
    const hooks = stats(delivery);

    table([
      { measure: 'run started on B → command at the device on A', p50: ms(dispatch.p50), p99: ms(dispatch.p99) },
      { measure: 'webhook: device answer → delivered on loopback', p50: ms(hooks.p50), p99: ms(hooks.p99) },
    ]);
    table([
      {
        measure: 'claims/s, one at a time',
        'run dispatch: claim + answer (device_commands)': claims.ours.toFixed(0),
        'pg-boss fetch+complete': claims.boss.toFixed(0),
        ratio: ratio(claims.ours, claims.boss),
      },
    ]);
    console.log(
      `${RUNS} one-window runs over 2 devices, started on both instances: ${(RUNS / (burstMs / 1000)).toFixed(0)} runs/s; ` +
        `${counts.ok} succeeded, ${counts.again} sent more than once, ${seen.size} commands seen (each once)`,
    );
  } finally {
    first.kill('SIGTERM');
    second.kill('SIGTERM');
  }
}

void main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
