import { Client } from 'pg';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { Account, addMember, createWindow, registerOwner } from '../support/factories';
import { EventHub } from '../../apps/cloud/src/events/event-hub';
import { openEvents } from '../support/sse';
import { openStalledStreams, StalledStreams } from '../support/stalled-streams';

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

/** A stream the cloud ends (sign-out, expiry, a member change) whose client reads nothing gives its place back. */
describe('an ended stream whose client reads nothing', () => {
  let cloud: CloudHarness;
  let stalled: StalledStreams | undefined;

  beforeAll(async () => {
    cloud = await startCloud({
      listen: true,
      env: { EVENTS_STREAMS_PER_SESSION: '1', EVENTS_STREAM_BUFFER_BYTES: String(64 * 2 ** 20) },
    });
  });
  afterAll(async () => {
    stalled?.stop();
    await cloud.close();
  });

  it('is let go within seconds, and the session may open its one stream again', async () => {
    const owner = await registerOwner(cloud);
    const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'all' });
    await createWindow(cloud, owner);
    const [{ team_id: team }] = await cloud.db.query(`SELECT team_id FROM users WHERE id = $1`, [owner.userId]);
    const rows = await cloud.db.query<{ id: number }[]>(
      `INSERT INTO windows (team_id, seq, name) SELECT $1, 1000 + g, 'batch ' || g FROM generate_series(1, 999) g RETURNING id`,
      [team],
    );
    const ids = rows.map((r) => r.id);
    const hub = cloud.app.get(EventHub);
    stalled = await openStalledStreams(cloud.url, member.token, 1);
    // More than the socket holds (the client reads nothing), less than the stream's own buffer: not cut.
    for (let round = 0; round < 4; round++)
      expect(await cloud.post('/browser/remark/update', { ids, remark: `round ${round} ${'x'.repeat(200)}` }, owner.token)).toMatchObject({
        code: 0,
      });
    // The one place is taken.
    expect(
      await fetch(`${cloud.url}/events`, { headers: { Authorization: `Bearer ${member.token}` } }).then((r) => r.json()),
    ).toMatchObject({
      code: 429,
    });
    // The member's access changes: the cloud ends the stream.
    expect(
      await cloud.post(
        '/team/member/update',
        { userId: member.userId, permissions: ['browser:list', 'tag:manage'], scope: 'all' },
        owner.token,
      ),
    ).toMatchObject({ code: 0 });
    const deadline = Date.now() + 15_000;
    while (hub.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(hub.size).toBe(0);
    const again = await openEvents(cloud.url, member.token);
    expect(again.status).toBe(200);
    await expect(again.waitForEnd(500)).rejects.toThrow();
    again.close();
  });
});
