import { Client } from 'pg';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { Account, addMember, createWindow, registerOwner } from '../support/factories';
import { openEvents } from '../support/sse';

jest.setTimeout(60_000);

/** A page left open holds its stream with no call in between: the stream does not outlive the session. */
describe('live events past the session’s end', () => {
  let database: TestDatabase;
  let cloud: CloudHarness;
  let owner: Account;

  beforeAll(async () => {
    database = await createTestDatabase();
    cloud = await startCloud({ databaseUrl: database.url, listen: true });
    owner = await registerOwner(cloud);
  });
  afterAll(async () => {
    await cloud.close();
    await database.drop();
  });

  /** Brings the end of `account`'s sessions to `seconds` from now, as if they had been signed in that long ago. */
  async function sessionsEndIn(account: Account, seconds: number): Promise<void> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(`UPDATE auth_sessions SET expires_at = now() + make_interval(secs => $2) WHERE user_id = $1`, [
        account.userId,
        seconds,
      ]);
    } finally {
      await client.end();
    }
  }

  it('ends a stream when its session runs out, and sends nothing after', async () => {
    const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'all' });
    await sessionsEndIn(member, 4);
    const stream = await openEvents(cloud.url, member.token);
    expect(stream.status).toBe(200);
    const before = await createWindow(cloud, owner, { name: 'before the end' });
    await stream.waitFor((e) => e.type === 'window.created' && e.data.windowId === before.id);
    await stream.waitForEnd(10_000);
    const after = await createWindow(cloud, owner, { name: 'after the end' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(stream.events.some((e) => e.data.windowId === after.id)).toBe(false);
    // The session is over: no new stream either.
    const again = await fetch(`${cloud.url}/events`, { headers: { Authorization: `Bearer ${member.token}` } });
    expect(await again.json()).toMatchObject({ code: 401 });
  });

  it('a stream of a session that runs out in weeks is not ended early (timers hold at most ~24.8 days)', async () => {
    const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'all' });
    await sessionsEndIn(member, 40 * 86_400);
    const stream = await openEvents(cloud.url, member.token);
    const window = await createWindow(cloud, owner, { name: 'weeks left' });
    await stream.waitFor((e) => e.type === 'window.created' && e.data.windowId === window.id);
    await expect(stream.waitForEnd(1000)).rejects.toThrow();
    stream.close();
  });
});
