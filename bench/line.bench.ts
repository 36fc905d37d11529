/**
 * The device line: two built cloud instances in their own processes on one local PostgreSQL, a
 * device line held by instance A. Measured: from a member's `/browser/open` sent to instance B (and,
 * beside it, to A itself) until the command reaches the device, and until the member has the
 * device's answer; the same through a long-polling device; then 1,000 commands from 16 callers at
 * once (throughput, and that each is delivered once). A bare LISTEN/NOTIFY round trip in the same
 * run is the floor the cross-instance hop stands on.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { line, LineClient } from '../test/support/line-client';
import { bareNotify, freshDatabase, ms, postApi, ratio, startProcess, stats, table } from './support';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORTS = [Number(process.env.BENCH_CLOUD_PORT ?? 3911), Number(process.env.BENCH_CLOUD_PORT ?? 3911) + 1];
const [A, B] = PORTS.map((port) => `http://127.0.0.1:${port}`);
const SAMPLES = 300;
const BURST = 1_000;
const CALLERS = 16;

/** A device on the line that answers every command at once, noting when each came. */
function answering(device: LineClient): Map<string, number> {
  const seen = new Map<string, number>();
  device.ws.on('message', (data) => {
    const message = JSON.parse((data as Buffer).toString('utf8')) as { type: string; commandId: string; window: { uuid: string } };
    if (message.type !== 'command') return;
    if (seen.has(message.commandId)) throw new Error(`command ${message.commandId} delivered twice`);
    seen.set(message.commandId, performance.now());
    device.send({ type: 'answer', commandId: message.commandId, code: 0, msg: 'success', data: { uuid: message.window.uuid } });
  });
  return seen;
}

async function dispatch(caller: string, token: string, deviceId: string, uuid: string, seen: Map<string, number>) {
  const toDevice: number[] = [];
  const roundTrip: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    const answer = await postApi(caller, '/browser/open', { device: deviceId, uuid }, token);
    roundTrip.push(performance.now() - start);
    toDevice.push(seen.get(answer.commandId as string)! - start);
  }
  return { toDevice: stats(toDevice), roundTrip: stats(roundTrip) };
}

/** A long-polling device on instance A: polls, answers each command through /device/line/answer. */
function polling(token: string, stop: { done: boolean }): Map<string, number> {
  const seen = new Map<string, number>();
  const lineId = randomUUID();
  const hello = {
    version: '1.0.0',
    hostname: 'bench',
    platform: 'linux-x64',
    capacity: { windowsRunning: 0, freeMemoryBytes: 1, totalMemoryBytes: 1 },
  };
  void (async () => {
    while (!stop.done) {
      const { commands } = await postApi(A, '/device/line/poll', { line: lineId, hello, waitMs: 5_000 }, token);
      for (const command of commands as { commandId: string; window: { uuid: string } }[]) {
        seen.set(command.commandId, performance.now());
        void postApi(
          A,
          '/device/line/answer',
          { line: lineId, answer: { commandId: command.commandId, code: 0, msg: 'success', data: {} } },
          token,
        );
      }
    }
  })();
  return seen;
}

async function main(): Promise<void> {
  const url = await freshDatabase(ADMIN_URL, 'cos_bench_line');
  const env = (port: number) => ({
    DATABASE_URL: url,
    CLOUD_PORT: String(port),
    CLOUD_DATA_DIR: '/tmp/cos_bench_line',
    NODE_ENV: 'test',
    JWT_SECRET: 'bench-line-secret-bench-line-secret',
    ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    LOGIN_ADDRESS_THROTTLE_LIMIT: '100000',
  });
  const first = await startProcess('dist/apps/cloud/apps/cloud/src/main.js', env(PORTS[0]), `${A}/health`);
  const second = await startProcess('dist/apps/cloud/apps/cloud/src/main.js', env(PORTS[1]), `${B}/health`);
  try {
    const owner = await postApi(A, '/auth/register', { email: 'line@example.com', password: 'bench-password' });
    const token = owner.accessToken as string;
    const window = await postApi(A, '/browser/update', { name: 'bench' }, token);
    const device = await line(A, token);
    await device.hello();
    const seen = answering(device);
    const across = await dispatch(B, token, owner.deviceId as string, window.uuid as string, seen);
    const same = await dispatch(A, token, owner.deviceId as string, window.uuid as string, seen);
    const bare = stats(await bareNotify(url, SAMPLES));

    // 1,000 commands from 16 callers at once, half through each instance.
    const before = seen.size;
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, caller) => {
        while (next < BURST) {
          next += 1;
          await postApi(caller % 2 ? B : A, '/browser/open', { device: owner.deviceId, uuid: window.uuid }, token);
        }
      }),
    );
    const burstMs = performance.now() - start;
    const delivered = seen.size - before;
    device.close();
    await device.closed;

    // The same device by long-polls (its WebSocket closed; the poll takes the device over).
    const stop = { done: false };
    const polled = polling(token, stop);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const byPoll = await dispatch(B, token, owner.deviceId as string, window.uuid as string, polled);
    stop.done = true;

    table([
      {
        measure: 'open asked of B → command at the device on A',
        p50: ms(across.toDevice.p50),
        p99: ms(across.toDevice.p99),
        'bare NOTIFY p50': ms(bare.p50),
        ratio: ratio(across.toDevice.p50, bare.p50),
      },
      {
        measure: 'open asked of B → answer back (round trip)',
        p50: ms(across.roundTrip.p50),
        p99: ms(across.roundTrip.p99),
        'bare NOTIFY p50': ms(bare.p50),
        ratio: ratio(across.roundTrip.p50, bare.p50),
      },
      {
        measure: 'open asked of A → command at the device on A',
        p50: ms(same.toDevice.p50),
        p99: ms(same.toDevice.p99),
        'bare NOTIFY p50': ms(bare.p50),
        ratio: ratio(same.toDevice.p50, bare.p50),
      },
      {
        measure: 'open asked of A → answer back (round trip)',
        p50: ms(same.roundTrip.p50),
        p99: ms(same.roundTrip.p99),
        'bare NOTIFY p50': ms(bare.p50),
        ratio: ratio(same.roundTrip.p50, bare.p50),
      },
      {
        measure: 'long-polling device: asked of B → command at the device',
        p50: ms(byPoll.toDevice.p50),
        p99: ms(byPoll.toDevice.p99),
        'bare NOTIFY p50': ms(bare.p50),
        ratio: ratio(byPoll.toDevice.p50, bare.p50),
      },
    ]);
    console.log(
      `${BURST} commands from ${CALLERS} callers across both instances: ${(BURST / (burstMs / 1000)).toFixed(0)} commands/s, ` +
        `${delivered} delivered, each once`,
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
