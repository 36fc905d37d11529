import { randomBytes, randomUUID } from 'node:crypto';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { Account, addMember, createGroup, createWindow, registerOwner } from '../support/factories';
import { openEvents, SseClient, SseEvent } from '../support/sse';

const seen = (client: SseClient) => client.events.map((e) => `${e.type}:${e.data.windowId ?? '-'}`);

describe('audit trail and live events', () => {
  let database: TestDatabase;
  let cloud: CloudHarness;
  let second: CloudHarness;
  let ownerA: Account;
  let ownerB: Account;
  let scoped: Account;
  let mine: number;
  let theirs: number;
  const open: SseClient[] = [];
  const events = async (on: CloudHarness, token: string, lastEventId?: number) => {
    const client = await openEvents(on.url, token, lastEventId);
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { JWT_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    cloud = await startCloud({ databaseUrl: database.url, listen: true, env });
    second = await startCloud({ databaseUrl: database.url, listen: true, env });
    ownerA = await registerOwner(cloud);
    ownerB = await registerOwner(cloud);
    mine = await createGroup(cloud, ownerA);
    theirs = await createGroup(cloud, ownerA);
    scoped = await addMember(cloud, ownerA, { permissions: ['browser:list', 'team:manage'], scope: 'groups', groupIds: [mine] });
  });
  afterAll(async () => {
    for (const client of open) client.close();
    await cloud.close();
    await second.close();
    await database.drop();
  });

  it('sends each team, and a member limited to groups, exactly the events they may see', async () => {
    const a = await events(cloud, ownerA.token);
    const limited = await events(cloud, scoped.token);
    const b = await events(cloud, ownerB.token);
    expect([a.status, limited.status, b.status]).toEqual([200, 200, 200]);

    const inMine = await createWindow(cloud, ownerA, { groupId: mine });
    const inTheirs = await createWindow(cloud, ownerA, { groupId: theirs });
    const other = await createWindow(cloud, ownerB);
    await cloud.post('/browser/update/partial', { ids: [inMine.id, inTheirs.id], remark: 'both' }, ownerA.token);
    await cloud.post('/browser/delete/ids', { ids: [inTheirs.id] }, ownerA.token);
    const member = await addMember(cloud, ownerA, { permissions: ['browser:list'] });
    // Markers: the last event each listener will see.
    const markerA = await createWindow(cloud, ownerA, { groupId: mine, name: 'marker' });
    const markerB = await createWindow(cloud, ownerB, { name: 'marker' });
    const marked = (id: number) => (e: SseEvent) => e.type === 'window.created' && e.data.windowId === id;
    await Promise.all([a.waitFor(marked(markerA.id)), limited.waitFor(marked(markerA.id)), b.waitFor(marked(markerB.id))]);

    expect(seen(a)).toEqual([
      `window.created:${inMine.id}`,
      `window.created:${inTheirs.id}`,
      `window.updated:${inMine.id}`,
      `window.updated:${inTheirs.id}`,
      `window.deleted:${inTheirs.id}`,
      'member.added:-',
      'auth.login:-',
      `window.created:${markerA.id}`,
    ]);
    expect(seen(limited)).toEqual([
      `window.created:${inMine.id}`,
      `window.updated:${inMine.id}`,
      'member.added:-',
      'auth.login:-',
      `window.created:${markerA.id}`,
    ]);
    expect(seen(b)).toEqual([`window.created:${other.id}`, `window.created:${markerB.id}`]);
    expect(a.events.find((e) => e.type === 'member.added')!.data).toMatchObject({
      actorId: ownerA.userId,
      data: { userId: member.userId, permissions: ['browser:list'] },
    });
    expect(a.events.find((e) => e.type === 'window.updated')!.data.data).toEqual({ fields: ['remark'] });
    // ids only grow
    expect(a.events.map((e) => e.id)).toEqual([...a.events.map((e) => e.id)].sort((x, y) => x - y));
  });

  it('resumes with Last-Event-ID: a client that comes back loses nothing and gets nothing twice', async () => {
    const first = await events(cloud, ownerA.token);
    const w = await createWindow(cloud, ownerA, { groupId: mine });
    const last = await first.waitFor((e) => e.data.windowId === w.id);
    first.close();

    const missed = [await createWindow(cloud, ownerA, { groupId: mine }), await createWindow(cloud, ownerA, { groupId: theirs })];
    await cloud.post('/browser/remark/update', { ids: missed.map((m) => m.id), remark: 'while away' }, ownerA.token);

    const back = await events(cloud, ownerA.token, last.id);
    const after = await createWindow(cloud, ownerA, { groupId: mine });
    await back.waitFor((e) => e.data.windowId === after.id);
    expect(seen(back)).toEqual([
      `window.created:${missed[0].id}`,
      `window.created:${missed[1].id}`,
      `window.updated:${missed[0].id}`,
      `window.updated:${missed[1].id}`,
      `window.created:${after.id}`,
    ]);
    expect(back.events.every((e) => e.id > last.id)).toBe(true);
  });

  it('delivers events written through one instance to clients of another (LISTEN/NOTIFY)', async () => {
    const elsewhere = await events(second, ownerA.token);
    const w = await createWindow(cloud, ownerA, { groupId: mine });
    await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'desk-1' }, ownerA.token);
    await cloud.post('/browser/open-status/update', { uuid: w.uuid, deviceId: 'desk-1', status: 'opened', pid: 42 }, ownerA.token);
    await cloud.post('/browser/open-status/update', { uuid: w.uuid, deviceId: 'desk-1', status: 'opened', pid: 42 }, ownerA.token);
    await cloud.post('/browser/close', { uuid: w.uuid, deviceId: 'desk-1', cookies: [] }, ownerA.token);
    await elsewhere.waitFor((e) => e.type === 'window.synced' && e.data.windowId === w.id);
    expect(seen(elsewhere)).toEqual([
      `window.created:${w.id}`,
      `window.lease_taken:${w.id}`,
      `window.opened:${w.id}`,
      `window.closed:${w.id}`,
      `window.synced:${w.id}`,
    ]);
    expect(elsewhere.events.find((e) => e.type === 'window.synced')!.data).toMatchObject({
      deviceId: ownerA.deviceId,
      data: { cookieCount: 0 },
    });
  });

  it('starts a fresh stream after the newest event there is, though its notification arrives late', async () => {
    const before = await createWindow(cloud, ownerA, { groupId: mine });
    const [{ id: beforeEvent }] = await cloud.db.query<{ id: string }[]>(`SELECT max(id) AS id FROM audit_events WHERE window_id = $1`, [
      before.id,
    ]);
    const late = await events(second, ownerA.token);
    // The commit's notification reaches this instance only now, after the client came.
    await cloud.db.query(`SELECT pg_notify('cos_cluster', $1)`, [
      JSON.stringify({ id: randomUUID(), event: { kind: 'audit-appended', fromId: Number(beforeEvent), toId: Number(beforeEvent) } }),
    ]);
    const after = await createWindow(cloud, ownerA, { groupId: mine });
    await late.waitFor((e) => e.data.windowId === after.id);
    expect(seen(late)).toEqual([`window.created:${after.id}`]);
  });

  it('sends the purge of windows deleted for good, from the bin and by emptying it', async () => {
    const [a, b] = [await events(cloud, ownerA.token), await events(cloud, ownerB.token)];
    const one = await createWindow(cloud, ownerA, { groupId: mine });
    const two = await createWindow(cloud, ownerB);
    await cloud.post('/browser/delete/ids', { ids: [one.id] }, ownerA.token);
    await cloud.post('/browser/delete/ids', { ids: [two.id] }, ownerB.token);
    expect((await cloud.post('/browser/recycle/delete', { ids: [one.id] }, ownerA.token)).code).toBe(0);
    expect((await cloud.post('/browser/recycle/clear', {}, ownerB.token)).code).toBe(0);
    await a.waitFor((e) => e.type === 'window.purged' && e.data.windowId === one.id);
    await b.waitFor((e) => e.type === 'window.purged' && e.data.windowId === two.id);
    const purged = (client: SseClient) => seen(client).filter((e) => e.startsWith('window.purged'));
    expect([purged(a), purged(b)]).toEqual([[`window.purged:${one.id}`], [`window.purged:${two.id}`]]);
  });

  it('ends the stream of a session that logs out', async () => {
    const session = await cloud.post('/auth/login', { email: ownerA.email, password: ownerA.password });
    const client = await events(second, session.data.accessToken);
    expect(client.status).toBe(200);
    await cloud.post('/auth/logout', {}, session.data.accessToken);
    await createWindow(cloud, ownerA, { groupId: mine });
    // Once the stream has ended, everything it was ever sent is in hand: a late event would show.
    await client.waitForEnd();
    expect(client.events.filter((e) => e.type === 'window.created')).toEqual([]);
    expect(
      await (await fetch(`${second.url}/events`, { headers: { Authorization: `Bearer ${session.data.accessToken}` } })).json(),
    ).toMatchObject({ code: 401 });
  });

  it('lists the trail with filters for team:manage, scoped, and refuses bad input', async () => {
    const w = await createWindow(cloud, ownerA, { groupId: theirs });
    await cloud.post('/browser/update', { id: w.id, name: 'renamed' }, ownerA.token);
    const all = await cloud.post('/audit/list', { windowId: w.id }, ownerA.token);
    expect(all).toMatchObject({ code: 0, data: { total: 2, page: 0, pageSize: 10 } });
    expect(all.data.list.map((e: { kind: string }) => e.kind)).toEqual(['window.updated', 'window.created']);
    expect((await cloud.post('/audit/list', { kind: 'window.updated', windowId: w.id }, ownerA.token)).data.total).toBe(1);
    expect((await cloud.post('/audit/list', { actorId: ownerB.userId }, ownerA.token)).data.total).toBe(0);
    expect((await cloud.post('/audit/list', { since: new Date(Date.now() + 60_000).toISOString() }, ownerA.token)).data.total).toBe(0);
    expect((await cloud.post('/audit/list', { windowId: w.id }, scoped.token)).data.total).toBe(0);
    expect((await cloud.post('/audit/list', { windowId: w.id }, ownerB.token)).data.total).toBe(0);
    expect((await cloud.post('/audit/list', { pageSize: 1, page: 1, windowId: w.id }, ownerA.token)).data.list).toHaveLength(1);

    const member = await addMember(cloud, ownerA, { permissions: ['browser:list'] });
    expect(await cloud.post('/audit/list', {}, member.token)).toMatchObject({ code: 403, msg: expect.stringContaining('team:manage') });
    expect(await cloud.post('/audit/list', { kind: 'window.exploded' }, ownerA.token)).toMatchObject({
      code: 211,
      msg: expect.stringContaining('kind'),
    });
    expect(await cloud.post('/audit/list', { since: 'yesterday' }, ownerA.token)).toMatchObject({
      code: 211,
      msg: expect.stringContaining('since'),
    });
    expect(await cloud.post('/audit/list', { windowId: 'x' }, ownerA.token)).toMatchObject({ code: 211 });
    expect(await cloud.post('/audit/list', { team: 1 }, ownerA.token)).toMatchObject({ code: 211 });
    expect((await fetch(`${cloud.url}/events`)).status).toBe(200);
    expect(await (await fetch(`${cloud.url}/events`)).json()).toMatchObject({ code: 401 });
    expect(
      await (await fetch(`${cloud.url}/events`, { headers: { Authorization: `Bearer ${ownerA.token}`, 'Last-Event-ID': 'abc' } })).json(),
    ).toMatchObject({
      code: 211,
      msg: expect.stringContaining('Last-Event-ID'),
    });
  });

  it("writes the trail in the change's transaction: a refused change leaves none; rows cannot be changed", async () => {
    const w = await createWindow(cloud, ownerA);
    const foreign = await createWindow(cloud, ownerB);
    const [{ n: before }] = await cloud.db.query(`SELECT count(*)::int AS n FROM audit_events`);
    expect((await cloud.post('/browser/remark/update', { ids: [w.id, foreign.id], remark: 'x' }, ownerA.token)).code).toBe(404);
    const [{ n: after }] = await cloud.db.query(`SELECT count(*)::int AS n FROM audit_events`);
    expect(after).toBe(before);
    await expect(
      cloud.db.query(`UPDATE audit_events SET kind = 'window.created' WHERE id = (SELECT max(id) FROM audit_events)`),
    ).rejects.toThrow(/append-only/);
  });
});

describe('live events on the embedded database (one instance, no listener)', () => {
  let cloud: CloudHarness;
  // The embedded database runs every migration at its first start: on a loaded machine that is more than a minute.
  beforeAll(async () => {
    cloud = await startCloud({ embedded: true, listen: true });
  }, 180_000);
  afterAll(() => cloud.close());

  it('still sends each change to the team as it commits', async () => {
    const owner = await registerOwner(cloud);
    const client = await openEvents(cloud.url, owner.token);
    try {
      const w = await createWindow(cloud, owner);
      await cloud.post('/browser/delete', { id: w.id }, owner.token);
      await client.waitFor((e) => e.type === 'window.deleted' && e.data.windowId === w.id);
      expect(seen(client)).toEqual([`window.created:${w.id}`, `window.deleted:${w.id}`]);
    } finally {
      client.close();
    }
  });
});
