import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { AuthLoader } from '../../apps/cloud/src/auth/auth-loader';
import { PreparedReads } from '../../apps/cloud/src/database/prepared-reads';
import { seedWindows } from '../../bench/support';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { Account, addMember, createGroup, createTag, createWindow, registerOwner } from '../support/factories';

/**
 * Filtered totals are answered from a count taken at the team's list version; every change that
 * can move a window in or out of a filter moves the version in its own transaction. Two cloud
 * instances on one database: whatever one changes, the other's totals follow at once.
 */
describe('exact totals of filtered lists, counted once per change', () => {
  let database: TestDatabase;
  let a: CloudHarness;
  let b: CloudHarness;
  let owner: Account;
  const env = { JWT_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('base64'), AUTH_CACHE_SECONDS: '0' };

  beforeAll(async () => {
    database = await createTestDatabase();
    [a, b] = await Promise.all([startCloud({ databaseUrl: database.url, env }), startCloud({ databaseUrl: database.url, env })]);
    owner = await registerOwner(a);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await database.drop();
  });

  const total = async (cloud: CloudHarness, filter: Record<string, unknown>) => {
    const answer = await cloud.post('/browser/list', { pageSize: 1, ...filter }, owner.token);
    expect(answer.code).toBe(0);
    return answer.data.total as number;
  };
  /** The same filter on both instances, twice each (the second answer comes from the kept count). */
  const totals = async (filter: Record<string, unknown>) => [
    await total(a, filter),
    await total(a, filter),
    await total(b, filter),
    await total(b, filter),
  ];
  const version = async () => {
    const [row] = await a.db.query(`SELECT version::int AS v FROM window_list_versions WHERE team_id = $1`, [owner.teamId]);
    return row?.v as number | undefined;
  };

  it('follows every change that moves a window in or out of a filter, whichever instance made it', async () => {
    const group = await createGroup(a, owner);
    const tag = await createTag(a, owner);
    const w1 = await createWindow(a, owner, { name: 'alpha vip', groupId: group });
    const w2 = await createWindow(a, owner, { name: 'beta', remark: 'vip customer' });
    await createWindow(a, owner, { name: 'gamma' });
    expect(await totals({ keyword: 'vip' })).toEqual([2, 2, 2, 2]);

    await b.post('/browser/update', { id: w2.id, remark: 'plain' }, owner.token);
    expect(await totals({ keyword: 'vip' })).toEqual([1, 1, 1, 1]);
    await b.post('/browser/update/partial', { ids: [w2.id], name: 'beta vip' }, owner.token);
    expect(await totals({ keyword: 'vip' })).toEqual([2, 2, 2, 2]);

    expect(await totals({ keyword: 'vip', groupId: group })).toEqual([1, 1, 1, 1]);
    await b.post('/browser/group/update', { ids: [w2.id], groupId: group }, owner.token);
    expect(await totals({ keyword: 'vip', groupId: group })).toEqual([2, 2, 2, 2]);

    expect(await totals({ keyword: 'vip', tagIds: [tag] })).toEqual([0, 0, 0, 0]);
    await b.post('/browser/update/partial', { ids: [w1.id], tagIds: [tag] }, owner.token);
    expect(await totals({ keyword: 'vip', tagIds: [tag] })).toEqual([1, 1, 1, 1]);
    await b.post('/tag/delete', { id: tag }, owner.token);
    expect(await totals({ keyword: 'vip', tagIds: [tag] })).toEqual([0, 0, 0, 0]);

    await b.post('/browser/delete', { id: w1.id }, owner.token);
    expect(await totals({ keyword: 'vip' })).toEqual([1, 1, 1, 1]);
    expect(await totals({ keyword: 'vip', groupId: group })).toEqual([1, 1, 1, 1]);
    await b.post('/browser/recycle/restore', { ids: [w1.id] }, owner.token);
    expect(await totals({ keyword: 'vip' })).toEqual([2, 2, 2, 2]);

    await b.post('/group/delete', { id: group }, owner.token);
    expect(await totals({ keyword: 'vip', groupId: 0 })).toEqual([2, 2, 2, 2]);

    await b.post('/browser/delete', { id: w2.id }, owner.token);
    await b.post('/browser/recycle/delete', { ids: [w2.id] }, owner.token);
    expect(await totals({ keyword: 'vip' })).toEqual([1, 1, 1, 1]);
    await createWindow(b, owner, { name: 'delta vip' });
    expect(await totals({ keyword: 'vip' })).toEqual([2, 2, 2, 2]);
  });

  it('a scoped member counts only their groups; what lists do not filter on leaves the version alone', async () => {
    const mine = await createGroup(a, owner);
    await createWindow(a, owner, { name: 'scoped vip', groupId: mine });
    const member = await addMember(a, owner, { permissions: ['browser:list', 'browser:open'], scope: 'groups', groupIds: [mine] });
    const all = await total(a, { keyword: 'vip' });
    const theirs = await a.post('/browser/list', { keyword: 'vip', pageSize: 1 }, member.token);
    expect(theirs.data.total).toBe(1);
    expect(all).toBeGreaterThan(1);

    const w = await createWindow(a, owner, { name: 'leased' });
    const before = await version();
    await a.post('/browser/launch', { uuid: w.uuid, deviceId: 'desk' }, owner.token);
    await a.post('/browser/open-status/update', { uuid: w.uuid, deviceId: 'desk', status: 'opened' }, owner.token);
    await a.post('/browser/update', { id: w.id, browserFingerPrint: { timezone: 'Europe/Berlin' } }, owner.token);
    expect(await version()).toBe(before);
    // Leases run out with time: a status filter is counted each time.
    expect(await total(b, { openStatus: 'opened' })).toBe(1);
    await a.post('/browser/open-status/update', { uuid: w.uuid, deviceId: 'desk', status: 'closed' }, owner.token);
    expect(await total(b, { openStatus: 'opened' })).toBe(0);
  });
});

describe('deep pages start at kept anchors', () => {
  let cloud: CloudHarness;
  let owner: Account;
  beforeAll(async () => {
    // Statements are counted on the whole app: its own timers (run sweep, schedules, job polls, presence) stay quiet meanwhile.
    cloud = await startCloud({
      env: {
        RUN_SWEEP_MS: '60000',
        SCHEDULE_TICK_MS: '60000',
        JOB_POLL_SECONDS: '300',
        DEVICE_HEARTBEAT_SECONDS: '120',
        DEVICE_OFFLINE_SECONDS: '600',
      },
    });
    owner = await registerOwner(cloud);
    const db = new Client({ connectionString: cloud.config.env.DATABASE_URL });
    await db.connect();
    await seedWindows(db, owner.teamId, owner.userId, 2500);
    await db.end();
    // Ties on the creation time: the id orders them.
    await cloud.db.query(`UPDATE windows SET created_at = date_trunc('hour', now()) WHERE team_id = $1 AND seq % 7 = 0`, [owner.teamId]);
  });
  afterAll(() => cloud.close());

  const reference = async (column: 'created_at' | 'deleted_at') =>
    (
      await cloud.db.query(
        `SELECT id FROM windows WHERE team_id = $1 AND deleted_at IS ${column === 'created_at' ? 'NULL' : 'NOT NULL'} ORDER BY ${column} DESC, id DESC`,
        [owner.teamId],
      )
    ).map((r: { id: number }) => r.id);
  const page = async (path: string, page: number, pageSize: number) =>
    (await cloud.post(path, { page, pageSize }, owner.token)).data.list.map((w: { id: number }) => w.id);
  const samePages = async (path: string, column: 'created_at' | 'deleted_at') => {
    const all = await reference(column);
    for (const [p, size] of [
      [10, 100],
      [11, 100],
      [19, 100],
      [24, 100],
      [150, 7],
      [142, 7],
    ]) {
      expect([p, size, await page(path, p, size)]).toEqual([p, size, all.slice(p * size, (p + 1) * size)]);
    }
  };

  it('reads a page of a list seen before in one statement, and plans afresh once the list changed', async () => {
    // Statements go through the prepared reads, or take a connection of the ORM's pool.
    const reads = jest.spyOn(cloud.app.get(PreparedReads), 'query');
    const orm = jest.spyOn((cloud.db.driver as PostgresDriver).master as Pool, 'connect');
    // Each call also reads who is calling (the caller's auth version, or the caller itself): not the list's.
    const loader = cloud.app.get<AuthLoader, Record<string, (...args: unknown[]) => unknown>>(AuthLoader);
    const callers = ['currentVersion', 'loadSession', 'loadApiToken'].map((name) => jest.spyOn(loader, name));
    const statements = {
      mockClear: () => [reads, orm, ...callers].forEach((spy) => spy.mockClear()),
      get count() {
        return reads.mock.calls.length + orm.mock.calls.length - callers.reduce((n, spy) => n + spy.mock.calls.length, 0);
      },
    };
    await page('/browser/list', 12, 100);
    const before = await reference('created_at');
    statements.mockClear();
    try {
      expect(await page('/browser/list', 12, 100)).toEqual(before.slice(1200, 1300));
      expect(await page('/browser/list', 0, 100)).toEqual(before.slice(0, 100));
      expect(statements.count).toBe(2);
      // A filtered list counted before: its page and the list version in one statement.
      const vip = async () => (await cloud.post('/browser/list', { keyword: 'vip', pageSize: 5 }, owner.token)).data;
      await vip();
      statements.mockClear();
      expect(await vip()).toMatchObject({ total: 250, list: expect.any(Array) });
      expect(statements.count).toBe(1);
      // Another instance (here: the database itself) moves windows: the guess is thrown away.
      await cloud.db.query(`UPDATE windows SET deleted_at = now() WHERE id = ANY($1)`, [before.slice(100, 150)]);
      const after = await reference('created_at');
      statements.mockClear();
      expect(await page('/browser/list', 12, 100)).toEqual(after.slice(1200, 1300));
      expect(statements.count).toBeGreaterThan(1);
      statements.mockClear();
      const vipAfter = await vip();
      expect(statements.count).toBe(2);
      const [{ binned }] = await cloud.db.query(`SELECT count(*)::int AS binned FROM windows WHERE id = ANY($1) AND remark ILIKE '%vip%'`, [
        before.slice(100, 150),
      ]);
      expect([binned, vipAfter.total]).toEqual([5, 245]);
    } finally {
      reads.mockRestore();
      orm.mockRestore();
      callers.forEach((spy) => spy.mockRestore());
      await cloud.db.query(`UPDATE windows SET deleted_at = NULL WHERE id = ANY($1)`, [before.slice(100, 150)]);
    }
  });

  it('gives the same rows as a plain scan, and follows inserts, deletes and the recycle bin', async () => {
    await samePages('/browser/list', 'created_at');
    // New windows at the top, some moved to the bin: the anchors are read again.
    for (let i = 0; i < 3; i++) await createWindow(cloud, owner);
    const ids = (await reference('created_at')).slice(500, 1700);
    await cloud.post('/browser/delete/ids', { ids: ids.slice(0, 1000) }, owner.token);
    await cloud.post('/browser/delete/ids', { ids: ids.slice(1000) }, owner.token);
    await samePages('/browser/list', 'created_at');
    await cloud.db.query(
      `UPDATE windows SET deleted_at = date_trunc('hour', now()) WHERE team_id = $1 AND deleted_at IS NOT NULL AND id % 3 = 0`,
      [owner.teamId],
    );
    const bin = await reference('deleted_at');
    expect(bin).toHaveLength(1200);
    for (const p of [10, 11]) expect(await page('/browser/recycle/list', p, 100)).toEqual(bin.slice(p * 100, (p + 1) * 100));
  });
});
