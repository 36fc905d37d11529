import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { LISTENER_NAME } from '../../apps/cloud/src/cluster/cluster-bus';
import { ClusterBus } from '../../apps/cloud/src/cluster/cluster-bus';
import { RecyclePurger } from '../../apps/cloud/src/recycle/recycle-purger';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { Account, addMember, createGroup, createWindow, registerOwner, signIn } from '../support/factories';
import { until } from '../support/firefox';

/**
 * Two cloud instances on one PostgreSQL, as behind a load balancer: each with its own pool, its
 * own caller cache (kept a minute here, so only invalidation can explain a refusal) and its own
 * listening connection.
 */
describe('two cloud instances on one PostgreSQL', () => {
  let database: TestDatabase;
  let a: CloudHarness;
  let b: CloudHarness;
  let owner: Account;
  const env = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    AUTH_CACHE_SECONDS: '60',
    LOGIN_THROTTLE_LIMIT: '4',
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    // Started together on an empty database: one migrates, the other waits its turn and finds it done.
    [a, b] = await Promise.all([startCloud({ databaseUrl: database.url, env }), startCloud({ databaseUrl: database.url, env })]);
    owner = await registerOwner(a);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await database.drop();
  });

  it('a logout on one instance is refused on the other at once', async () => {
    const session = await a.post('/auth/login', { email: owner.email, password: owner.password });
    expect((await b.post('/auth/me', {}, session.data.accessToken)).code).toBe(0);
    expect((await a.post('/auth/logout', {}, session.data.accessToken)).code).toBe(0);
    expect(await b.post('/auth/me', {}, session.data.accessToken)).toMatchObject({ code: 401 });
  });

  it('a member change and a revoked API token apply on the other instance at once', async () => {
    const member = await addMember(a, owner, { permissions: ['browser:list'] });
    expect((await b.post('/browser/list', {}, member.token)).code).toBe(0);
    expect((await a.post('/team/member/update', { userId: member.userId, permissions: [] }, owner.token)).code).toBe(0);
    expect(await b.post('/browser/list', {}, member.token)).toMatchObject({ code: 403, msg: expect.stringContaining('browser:list') });

    const token = (await a.post('/auth/token/create', { name: 'script' }, owner.token)).data;
    expect((await b.post('/auth/me', {}, token.token)).code).toBe(0);
    expect((await a.post('/auth/token/revoke', { id: token.id }, owner.token)).code).toBe(0);
    expect((await b.post('/auth/me', {}, token.token)).code).toBe(401);
  });

  it('loads callers afresh while it cannot hear the others, and hears them again once reconnected', async () => {
    const session = await a.post('/auth/login', { email: owner.email, password: owner.password });
    expect((await b.post('/auth/me', {}, session.data.accessToken)).code).toBe(0);
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
        [LISTENER_NAME],
      );
    } finally {
      await admin.end();
    }
    await until('both listeners to notice', () => Promise.resolve(!a.app.get(ClusterBus).live && !b.app.get(ClusterBus).live), 10_000);
    expect((await a.post('/auth/logout', {}, session.data.accessToken)).code).toBe(0);
    expect((await b.post('/auth/me', {}, session.data.accessToken)).code).toBe(401);

    await until('both listeners to reconnect', () => Promise.resolve(a.app.get(ClusterBus).live && b.app.get(ClusterBus).live), 15_000);
    const again = await a.post('/auth/login', { email: owner.email, password: owner.password });
    expect((await b.post('/auth/me', {}, again.data.accessToken)).code).toBe(0);
    expect((await a.post('/auth/logout', {}, again.data.accessToken)).code).toBe(0);
    expect((await b.post('/auth/me', {}, again.data.accessToken)).code).toBe(401);
  });

  it('counts login attempts across both instances', async () => {
    const victim = await registerOwner(a);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await (i % 2 ? b : a)
        .raw()
        .post('/auth/login')
        .send({ email: victim.email, password: `guess-${i}` });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect((await b.raw().post('/auth/login').send({ email: victim.email, password: victim.password })).status).toBe(429);
  });

  it('runs the recycle-bin purge on one instance at a time', async () => {
    const windows = await Promise.all(Array.from({ length: 40 }, () => createWindow(a, owner)));
    const ids = windows.map((w) => w.id);
    expect((await a.post('/browser/delete/ids', { ids }, owner.token)).code).toBe(0);
    await a.db.query(`UPDATE windows SET deleted_at = now() - interval '400 days' WHERE id = ANY($1)`, [ids]);

    // While another instance holds the job, neither runs it.
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT pg_advisory_xact_lock($1)`, [0x636f7301]);
    expect(await Promise.all([a.app.get(RecyclePurger).purge(), b.app.get(RecyclePurger).purge()])).toEqual([
      { ran: false, deleted: 0 },
      { ran: false, deleted: 0 },
    ]);
    await holder.query('ROLLBACK');
    await holder.end();

    const runs = await Promise.all([a.app.get(RecyclePurger).purge(), b.app.get(RecyclePurger).purge()]);
    expect(runs.reduce((n, r) => n + r.deleted, 0)).toBe(40);
    expect(runs.filter((r) => r.deleted > 0)).toHaveLength(1);
    expect((await a.db.query(`SELECT count(*)::int AS n FROM windows WHERE id = ANY($1)`, [ids]))[0].n).toBe(0);
  });

  it('gives one device the lease when two instances are asked at once', async () => {
    const elsewhere = await signIn(b, owner);
    for (let round = 0; round < 5; round++) {
      const w = await createWindow(a, owner);
      const answers = await Promise.all([
        a.post('/browser/launch', { uuid: w.uuid }, owner.token),
        b.post('/browser/launch', { uuid: w.uuid }, elsewhere.token),
      ]);
      expect(answers.map((x) => x.code).sort()).toEqual([0, 409]);
      const holder = answers[0].code === 0 ? owner.deviceId : elsewhere.deviceId;
      expect((await b.post('/browser/detail', { uuid: w.uuid }, owner.token)).data).toMatchObject({
        openStatus: 'opening',
        openDeviceId: holder,
      });
    }
  });

  it('keeps batch writes whole when both instances write the same windows at once', async () => {
    const group = await createGroup(a, owner);
    const windows = await Promise.all(Array.from({ length: 60 }, () => createWindow(a, owner)));
    const ids = windows.map((w) => w.id);
    const reversed = [...ids].reverse();
    const answers = await Promise.all([
      a.post('/browser/update/partial', { ids, remark: 'from a' }, owner.token),
      b.post('/browser/update/partial', { ids: reversed, remark: 'from b' }, owner.token),
      a.post('/browser/group/update', { ids: reversed, groupId: group }, owner.token),
      b.post('/browser/remark/update', { ids, remark: 'from b again' }, owner.token),
    ]);
    expect(answers.map((x) => x.code)).toEqual([0, 0, 0, 0]);
    const rows: { remark: string; group_id: number }[] = await a.db.query(`SELECT remark, group_id FROM windows WHERE id = ANY($1)`, [ids]);
    expect(new Set(rows.map((r) => r.remark)).size).toBe(1);
    expect(rows.every((r) => r.group_id === group)).toBe(true);
  });
});

describe('behind a load balancer (TRUST_PROXY)', () => {
  const login = (cloud: CloudHarness, forwardedFor: string) =>
    cloud
      .raw()
      .post('/auth/login')
      .set('X-Forwarded-For', forwardedFor)
      .send({ email: `${randomBytes(4).toString('hex')}@example.com`, password: 'wrong-password' });

  it('throttles per client address named by the trusted proxy', async () => {
    const cloud = await startCloud({ env: { TRUST_PROXY: 'loopback', LOGIN_ADDRESS_THROTTLE_LIMIT: '3' } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await login(cloud, '198.51.100.1')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect((await login(cloud, '198.51.100.2')).status).toBe(200);
    } finally {
      await cloud.close();
    }
  });

  it('ignores X-Forwarded-For from a client when no proxy is trusted', async () => {
    const cloud = await startCloud({ env: { LOGIN_ADDRESS_THROTTLE_LIMIT: '3' } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await login(cloud, `198.51.100.${i + 10}`)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await cloud.close();
    }
  });
});
