import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { CloudProcess, spawnCloud } from '../support/cloud-process';
import { addMember, createGroup, registerOwner } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/database';
import { freePort } from '../support/proxies';

jest.setTimeout(900_000);

interface Answer {
  status: number;
  code: number;
}

const post = async (cloud: CloudProcess, path: string, body: unknown, token?: string) => {
  const res = await fetch(`${cloud.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { code: number; msg: string; data: any };
  return { status: res.status, ...json };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A TCP relay to PostgreSQL that holds what the server sends for `delayMs` (in order): the replica
 * behind it is a little farther from the database than the other, as across zones, so it hears a
 * notification some milliseconds after the replica that published it.
 */
async function startLaggingRelay(target: URL, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => setTimeout(() => client.write(chunk), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target.toString());
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.toString(),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Two cloud processes on one PostgreSQL, each remembering callers for a minute, A 15 ms farther
 * from the database than B: a change made on B must be in force on A for every call A receives
 * after B answered. Two callers keep
 * calling A while B makes the change; a call sent after B's answer that A still serves as before
 * is a late acceptance.
 */
describe('access changes on one replica are in force on the other once answered', () => {
  let database: TestDatabase;
  let a: CloudProcess;
  let b: CloudProcess;
  let relay: { url: string; close(): Promise<void> };
  let owner: { token: string; email: string; password: string };
  const dirs: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    relay = await startLaggingRelay(new URL(database.url), 15);
    const env = {
      JWT_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AUTH_CACHE_SECONDS: '60',
      LOGIN_THROTTLE_LIMIT: '1000',
      LOGIN_ADDRESS_THROTTLE_LIMIT: '1000',
    };
    const start = async (databaseUrl: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'cos-replica-'));
      dirs.push(dir);
      return spawnCloud({ port: await freePort(), env: { ...env, DATABASE_URL: databaseUrl, CLOUD_DATA_DIR: dir } });
    };
    b = await start(database.url);
    a = await start(relay.url);
    const email = `owner-${randomBytes(4).toString('hex')}@example.com`;
    const registered = await post(a, '/auth/register', { email, password: 'owner-password-1', name: 'Owner' });
    owner = { token: registered.data.accessToken, email, password: 'owner-password-1' };
  });
  afterAll(async () => {
    await a?.kill();
    await b?.kill();
    await relay?.close();
    await database?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Calls A from two callers while `change` runs on B; counts calls sent after B answered that A served as before. */
  async function lateAcceptances(call: () => Promise<Answer>, asBefore: (answer: Answer) => boolean, change: () => Promise<void>) {
    expect(asBefore(await call())).toBe(true);
    let answeredAt = Number.POSITIVE_INFINITY;
    let stop = false;
    let late = 0;
    const probes = [0, 0];
    let probedByBoth!: () => void;
    const bothProbed = new Promise<void>((resolve) => (probedByBoth = resolve));
    const caller = async (index: number) => {
      while (!stop) {
        const sentAt = performance.now();
        const answer = await call();
        if (sentAt > answeredAt) {
          probes[index] += 1;
          if (asBefore(answer)) late += 1;
          if (probes.every((n) => n > 0)) probedByBoth();
        }
      }
    };
    const callers = [caller(0), caller(1)];
    await sleep(Math.random() * 4);
    await change();
    answeredAt = performance.now();
    // Each caller has a call sent after B answered come back, so no round passes without a probe,
    // and the calls go on past the relay's 15 ms lag, the span in which A could still answer as before.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`callers probed A ${JSON.stringify(probes)} times in 10 s`)), 10_000);
    });
    await Promise.race([Promise.all([bothProbed, sleep(25)]), bound]).finally(() => clearTimeout(timer));
    stop = true;
    await Promise.all(callers);
    expect(asBefore(await call())).toBe(false);
    return late;
  }

  const me = (token: string) => () => post(a, '/auth/me', {}, token);
  const accepted = (answer: Answer) => answer.code === 0;

  it('one refresh token sent to both replicas at once (tabs behind the balancer): all answered, one new token, the session standing', async () => {
    const login = await post(b, '/auth/login', { email: owner.email, password: owner.password });
    let token = login.data.refreshToken as string;
    for (let round = 0; round < 5; round++) {
      const all = await Promise.all([a, b, a, b].map((replica) => post(replica, '/auth/refresh', { refreshToken: token })));
      expect(all.map((answer) => [answer.code, answer.msg])).toEqual(all.map(() => [0, 'success']));
      expect(new Set(all.map((answer) => answer.data.refreshToken)).size).toBe(1);
      token = all[round % 4].data.refreshToken;
    }
    const last = await post(a, '/auth/refresh', { refreshToken: token });
    expect((await post(b, '/auth/me', {}, last.data.accessToken)).code).toBe(0);
  });

  it('200 API tokens revoked on B: none accepted by A afterwards', async () => {
    let late = 0;
    for (let round = 0; round < 200; round++) {
      const created = await post(b, '/auth/token/create', { name: `t${round}` }, owner.token);
      const token = created.data.token;
      late += await lateAcceptances(me(token), accepted, async () => {
        expect((await post(b, '/auth/token/revoke', { id: created.data.id }, owner.token)).code).toBe(0);
      });
    }
    expect(late).toBe(0);
  });

  it('40 permission grants and withdrawals on B: A applies each before B answers', async () => {
    const email = `member-${randomBytes(4).toString('hex')}@example.com`;
    const added = await post(b, '/team/member/add', { email, password: 'member-password-1', permissions: ['browser:list'] }, owner.token);
    expect(added.code).toBe(0);
    const member = await post(a, '/auth/login', { email, password: 'member-password-1' });
    const token = member.data.accessToken;
    const list = () => post(a, '/browser/list', {}, token);
    let late = 0;
    for (let round = 0; round < 40; round++) {
      const withdrawing = round % 2 === 0;
      late += await lateAcceptances(
        list,
        (answer) => (withdrawing ? answer.code === 0 : answer.code === 403),
        async () => {
          const permissions = withdrawing ? [] : ['browser:list'];
          expect((await post(b, '/team/member/update', { userId: member.data.user.id, permissions }, owner.token)).code).toBe(0);
        },
      );
    }
    expect(late).toBe(0);
  });

  it('logouts and member removals on B: A refuses the session afterwards', async () => {
    let late = 0;
    for (let round = 0; round < 5; round++) {
      const session = await post(b, '/auth/login', { email: owner.email, password: owner.password });
      const token = session.data.accessToken;
      late += await lateAcceptances(me(token), accepted, async () => {
        expect((await post(b, '/auth/logout', {}, token)).code).toBe(0);
      });
    }
    // An API token's logout revokes it: as a revoke, in force on A once B answered.
    for (let round = 0; round < 5; round++) {
      const { token } = (await post(b, '/auth/token/create', { name: `logout-${round}` }, owner.token)).data;
      late += await lateAcceptances(me(token), accepted, async () => {
        expect((await post(b, '/auth/logout', {}, token)).code).toBe(0);
      });
    }
    for (let round = 0; round < 5; round++) {
      const email = `gone-${randomBytes(4).toString('hex')}@example.com`;
      const added = await post(b, '/team/member/add', { email, password: 'member-password-1', permissions: [] }, owner.token);
      const session = await post(b, '/auth/login', { email, password: 'member-password-1' });
      late += await lateAcceptances(me(session.data.accessToken), accepted, async () => {
        expect((await post(b, '/team/member/remove', { userId: added.data.id }, owner.token)).code).toBe(0);
      });
    }
    expect(late).toBe(0);
  });
});

describe('the auth version on the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cos-embedded-auth-'));
  let cloud: CloudHarness;
  beforeAll(async () => {
    cloud = await startCloud({ embedded: true, dataDir, env: { AUTH_CACHE_SECONDS: '60' } });
  });
  afterAll(async () => {
    await cloud.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('moves with revocation, logout, group changes and removal', async () => {
    const owner = await registerOwner(cloud);
    const version = async (userId: number) =>
      (await cloud.db.query(`SELECT auth_version FROM users WHERE id = $1`, [userId]))[0].auth_version;
    const token = (await cloud.post('/auth/token/create', { name: 'script' }, owner.token)).data;
    expect((await cloud.post('/auth/me', {}, token.token)).code).toBe(0);
    const before = Number(await version(owner.userId));
    expect((await cloud.post('/auth/token/revoke', { id: token.id }, owner.token)).code).toBe(0);
    expect(Number(await version(owner.userId))).toBeGreaterThan(before);
    expect((await cloud.post('/auth/me', {}, token.token)).code).toBe(401);

    const group = await createGroup(cloud, owner);
    const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'groups', groupIds: [group] });
    expect((await cloud.post('/auth/me', {}, member.token)).data.groupIds).toEqual([group]);
    expect((await cloud.post('/group/delete', { id: group }, owner.token)).code).toBe(0);
    expect((await cloud.post('/auth/me', {}, member.token)).data.groupIds).toEqual([]);
    expect((await cloud.post('/team/member/remove', { userId: member.userId }, owner.token)).code).toBe(0);
    expect((await cloud.post('/auth/me', {}, member.token)).code).toBe(401);

    expect((await cloud.post('/auth/logout', {}, owner.token)).code).toBe(0);
    expect((await cloud.post('/auth/me', {}, owner.token)).code).toBe(401);
  });
});
