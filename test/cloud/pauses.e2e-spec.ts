import { Agent, request } from 'node:http';
import { Client, Pool } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { CloudHarness, Envelope, startCloud } from '../support/cloud-app';
import { ADMIN_URL } from '../support/database';

/**
 * Someone signs in, works, leaves the cloud alone longer than every timeout it has, and carries
 * on; or the database connection is cut under it. Each timeout is set short by its variable, and
 * both databases walk the same path: every call answers as before the pause.
 */
const TIMEOUTS = {
  DATABASE_POOL_IDLE_SECONDS: 1,
  HTTP_KEEP_ALIVE_SECONDS: 1,
  WINDOW_LEASE_SECONDS: 2,
  ACCESS_TOKEN_TTL_SECONDS: 5,
};
const PAUSE_MS = Math.max(...Object.values(TIMEOUTS)) * 1000 + 1500;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `check` to hold, polling, for at most `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(100);
  }
}

describe.each(['embedded', 'postgres'] as const)('a cloud on the %s database', (mode) => {
  let cloud: CloudHarness;
  /** Keeps connections like a browser does, until the server closes them. */
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });

  const http = (method: 'GET' | 'POST', path: string, body?: unknown, token?: string) =>
    new Promise<{ status: number; body: Envelope }>((resolve, reject) => {
      const req = request(`${cloud.url}${path}`, { method, agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) as Envelope }));
      });
      if (token) req.setHeader('Authorization', `Bearer ${token}`);
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  const post = async (path: string, body: unknown, token?: string) => (await http('POST', path, body, token)).body;
  const healthy = async () => (await http('GET', '/health')).status === 200;

  let session: { accessToken: string; refreshToken: string };
  let apiToken: string;
  let window: { id: number; uuid: string };

  /** A fresh access token from the session's refresh token, as the console gets one. */
  async function refresh(): Promise<string> {
    const answer = await post('/auth/refresh', { refreshToken: session.refreshToken });
    expect([answer.code, answer.msg]).toEqual([0, 'success']);
    session = answer.data;
    return session.accessToken;
  }

  /** Every read and write a person's day touches, each answered with code 0. */
  async function everyCall(device: string, remark: string): Promise<void> {
    const token = await refresh();
    const calls: [string, object][] = [
      ['/auth/me', {}],
      ['/browser/detail', { id: window.id }],
      ['/browser/detail', { uuid: window.uuid }],
      ['/browser/list', { page: 0, pageSize: 10 }],
      ['/browser/list', { page: 1, pageSize: 1 }],
      ['/browser/list', { keyword: 'paused', page: 0, pageSize: 10 }],
      ['/group/list', { page: 0, pageSize: 10 }],
      ['/browser/update', { id: window.id, remark }],
      ['/browser/launch', { uuid: window.uuid, deviceId: device }],
      ['/browser/open-status/update', { uuid: window.uuid, deviceId: device, status: 'opened', pid: 4242 }],
      ['/browser/close', { uuid: window.uuid, deviceId: device }],
    ];
    for (const [path, body] of calls) {
      const answer = await post(path, body, token);
      expect([path, answer.code, answer.msg]).toEqual([path, 0, 'success']);
    }
    expect((await post('/browser/detail', { id: window.id }, token)).data).toMatchObject({ remark, openStatus: 'closed' });
    expect((await post('/browser/list', { page: 0, pageSize: 10 }, apiToken)).code).toBe(0);
    expect(await http('GET', '/health')).toMatchObject({ status: 200, body: { data: { status: 'ok', database: mode } } });
  }

  beforeAll(async () => {
    const env = Object.fromEntries(Object.entries(TIMEOUTS).map(([name, value]) => [name, String(value)]));
    cloud = await startCloud({ embedded: mode === 'embedded', listen: true, env });
    const registered = await post('/auth/register', { email: `pauses-${mode}@example.com`, password: 'owner-password-1', name: 'P' });
    session = registered.data;
    apiToken = (await post('/auth/token/create', { name: 'script' }, session.accessToken)).data.token;
    window = (await post('/browser/update', { name: 'paused window' }, session.accessToken)).data;
  });
  afterAll(async () => {
    agent.destroy();
    await cloud.close();
  });

  it('answers every call after a pause longer than the pool idle, keep-alive, lease and token timeouts', async () => {
    await everyCall('device-a', 'before the pause');
    // Device A holds the window when its user walks away.
    expect((await post('/browser/launch', { uuid: window.uuid, deviceId: 'device-a' }, session.accessToken)).code).toBe(0);

    await pause(PAUSE_MS);
    // The server closed the kept connections, and the access token ran out.
    await until('the server to close idle keep-alive connections', () => Object.keys(agent.freeSockets).length === 0);
    expect(await post('/browser/list', { page: 0, pageSize: 10 }, session.accessToken)).toMatchObject({ code: 401 });

    // A's lease ran out: device B takes the window, and every call works as before.
    await everyCall('device-b', 'after the pause');

    // And again, from a second pause, with the connections the first one left.
    await pause(PAUSE_MS);
    await everyCall('device-a', 'after another pause');
  });

  it('carries on when the database connection is cut mid-transaction, and the cut transaction left nothing', async () => {
    await everyCall('device-a', 'before the cut');
    const pool = (cloud.db.driver as PostgresDriver).master as Pool;
    const held = (await pool.connect()) as unknown as Client & { release(error?: Error): void };
    held.on('error', () => undefined);
    await held.query('BEGIN');
    await held.query(`UPDATE windows SET remark = 'never committed' WHERE id = $1`, [window.id]);
    // A named statement and a setting on the session, as a connection may leave them.
    await held.query(`PREPARE left_behind AS SELECT 1`);
    await held.query(`SET statement_timeout = 1`);
    if (mode === 'embedded') {
      // The embedded server's socket closes under the connection.
      held.connection.stream.destroy();
    } else {
      const [{ pid }] = (await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      const admin = new Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await admin.end();
    }
    held.release();

    await until('the cloud to answer healthy again', healthy);
    expect((await post('/browser/detail', { id: window.id }, await refresh())).data).toMatchObject({ remark: 'before the cut' });
    await everyCall('device-b', 'after the cut');
    const left: { statements: number }[] = await cloud.db.query(
      `SELECT count(*)::int AS statements FROM pg_prepared_statements WHERE name = 'left_behind'`,
    );
    expect(left).toEqual([{ statements: 0 }]);
    expect((await cloud.db.query(`SHOW statement_timeout`))[0].statement_timeout).toBe('0');

    // The pool's idle connection cut between calls.
    const idle = (await pool.connect()) as unknown as Client & { release(): void };
    idle.release();
    idle.connection.stream.destroy();
    await until('the cloud to answer healthy again', healthy);
    await everyCall('device-a', 'after the second cut');
  });
});
