import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { EventHub } from '../../apps/cloud/src/events/event-hub';
import { ClusterBus, LISTENER_NAME } from '../../apps/cloud/src/cluster/cluster-bus';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { ADMIN_URL, createTestDatabase, TestDatabase } from '../support/database';
import { addMember, createWindow, registerOwner } from '../support/factories';
import { until } from '../support/firefox';
import { openEvents, SseClient } from '../support/sse';

/**
 * A change whose notification an instance never heard, because its listener was down: once the
 * listener is back, no stream goes on as if nothing had happened.
 */
describe('event streams after the cluster listener was lost', () => {
  let database: TestDatabase;
  let a: CloudHarness;
  let b: CloudHarness;
  let admin: Client;
  const open: SseClient[] = [];
  const name = () => new URL(database.url).pathname.slice(1);

  beforeAll(async () => {
    database = await createTestDatabase();
    // Pooled connections are kept: while new ones are refused below, each instance still answers.
    const env = {
      JWT_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DATABASE_POOL_IDLE_SECONDS: '0',
    };
    a = await startCloud({ databaseUrl: database.url, listen: true, env });
    b = await startCloud({ databaseUrl: database.url, listen: true, env });
    // Outside the test's database: a database cannot refuse connections from a session inside it.
    admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
  });
  afterAll(async () => {
    for (const client of open) client.close();
    await admin.query(`ALTER DATABASE ${name()} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin.end();
    await a.close();
    await b.close();
    await database.drop();
  });

  it('ends the stream of a member removed on another instance while this one could not hear it, and sends it nothing more', async () => {
    const owner = await registerOwner(a);
    const member = await addMember(a, owner, { permissions: ['browser:list'] });
    const removed = await openEvents(b.url, member.token);
    const staying = await openEvents(b.url, owner.token);
    open.push(removed, staying);
    const before = await createWindow(a, owner);
    await removed.waitFor((e) => e.data.windowId === before.id);

    // The listeners go, and cannot come back until allowed: whatever is published meanwhile is lost to them.
    await admin.query(`ALTER DATABASE ${name()} ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2`, [
      LISTENER_NAME,
      name(),
    ]);
    await until('both listeners to notice', () => Promise.resolve(!a.app.get(ClusterBus).live && !b.app.get(ClusterBus).live), 10_000);
    expect((await a.post('/team/member/remove', { userId: member.userId }, owner.token)).code).toBe(0);
    const during = await createWindow(a, owner);
    // Committed, so published, while neither listener could hear it.
    expect([a.app.get(ClusterBus).live, b.app.get(ClusterBus).live]).toEqual([false, false]);
    await admin.query(`ALTER DATABASE ${name()} ALLOW_CONNECTIONS true`);
    await until('both listeners to be back', () => Promise.resolve(a.app.get(ClusterBus).live && b.app.get(ClusterBus).live), 20_000);

    const after = await createWindow(a, owner);
    // The owner's stream stands: it gets what was committed while the listener was down, and what came after.
    await staying.waitFor((e) => e.data.windowId === after.id);
    expect(staying.events.some((e) => e.data.windowId === during.id)).toBe(true);
    // Once the removed member's stream has ended, everything it was ever sent is in hand.
    await removed.waitForEnd();
    expect(removed.events.filter((e) => e.data.windowId === during.id || e.data.windowId === after.id)).toEqual([]);
    await until('the removed member to have no stream', () => Promise.resolve(b.app.get(EventHub).size === 1), 5_000);
  });

  it('ends the stream of a session logged out while the listener was down', async () => {
    const owner = await registerOwner(a);
    const session = (await a.post('/auth/login', { email: owner.email, password: owner.password })).data.accessToken as string;
    const client = await openEvents(b.url, session);
    open.push(client);
    const hub = b.app.get(EventHub);
    const streams = hub.size;

    await admin.query(`ALTER DATABASE ${name()} ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2`, [
      LISTENER_NAME,
      name(),
    ]);
    await until('the listener to notice', () => Promise.resolve(!b.app.get(ClusterBus).live), 10_000);
    expect((await a.post('/auth/logout', {}, session)).code).toBe(0);
    await admin.query(`ALTER DATABASE ${name()} ALLOW_CONNECTIONS true`);
    await until('the listener to be back', () => Promise.resolve(b.app.get(ClusterBus).live), 20_000);

    await until('the logged-out stream to end', () => Promise.resolve(hub.size === streams - 1), 5_000);
    const w = await createWindow(a, owner);
    // Once the stream has ended, everything it was ever sent is in hand: a late event would show.
    await client.waitForEnd();
    expect(client.events.filter((e) => e.data.windowId === w.id)).toEqual([]);
  });
});
