import { Client } from 'pg';
import { ClusterBus, LISTENER_NAME } from '../../apps/cloud/src/cluster/cluster-bus';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { Account, createWindow, registerOwner } from '../support/factories';
import { until } from '../support/firefox';
import { openEvents } from '../support/sse';

/**
 * The listening connection as a database restart or failover treats it: its backend is
 * terminated, again and again, and the instance must come back with exactly one.
 */
describe('the cluster listener under repeated terminations', () => {
  let database: TestDatabase;
  let cloud: CloudHarness;
  let owner: Account;
  let admin: Client;

  const listeners = async (): Promise<number> => {
    const [{ n }] = (
      await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = $2`, [
        LISTENER_NAME,
        new URL(database.url).pathname.slice(1),
      ])
    ).rows;
    return n;
  };
  const terminate = () =>
    admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2`, [
      LISTENER_NAME,
      new URL(database.url).pathname.slice(1),
    ]);
  const bus = () => cloud.app.get(ClusterBus);

  beforeAll(async () => {
    database = await createTestDatabase();
    cloud = await startCloud({ databaseUrl: database.url, listen: true });
    owner = await registerOwner(cloud);
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await cloud.close();
    await database.drop();
  });

  it('keeps exactly one listening connection after each of six terminations, and events still flow', async () => {
    expect(await listeners()).toBe(1);
    const counts: number[] = [];
    for (let round = 0; round < 6; round++) {
      await terminate();
      await until('the listener to notice', () => Promise.resolve(!bus().live), 10_000);
      await until('the listener to be back', () => Promise.resolve(bus().live), 15_000);
      // A pause past the reconnect back-off (500 ms after one loss) is the point: a second
      // reconnect, if one was scheduled, has no event of its own and would land within it.
      await new Promise((r) => setTimeout(r, 700));
      counts.push(await listeners());
    }
    expect(counts).toEqual([1, 1, 1, 1, 1, 1]);

    // Terminated again while it is still reconnecting.
    await terminate();
    await until('the listener to notice', () => Promise.resolve(!bus().live), 10_000);
    await until('a new listener to connect', async () => (await listeners()) > 0, 10_000);
    await terminate();
    await until('the listener to be back', () => Promise.resolve(bus().live), 20_000);
    // A pause past the back-off after two losses (1 s) is the point: a stray reconnect would land within it.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await listeners()).toBe(1);

    // Events committed on this instance reach its clients through the listener.
    const client = await openEvents(cloud.url, owner.token);
    try {
      const w = await createWindow(cloud, owner);
      await client.waitFor((e) => e.type === 'window.created' && e.data.windowId === w.id);
    } finally {
      client.close();
    }
  });

  it('closes its listening connection on shutdown, even mid-reconnect', async () => {
    const other = await startCloud({ databaseUrl: database.url });
    await until('two listeners', async () => (await listeners()) === 2, 10_000);
    await terminate();
    await other.close();
    await until('the stopped instance to leave no listener', async () => (await listeners()) <= 1, 10_000);
    await until('the running instance to be back', () => Promise.resolve(bus().live), 15_000);
    // A pause past the back-off is the point: a listener the stopped instance still had scheduled would land within it.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await listeners()).toBe(1);
  });
});
