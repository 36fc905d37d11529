import { Client } from 'pg';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { ADMIN_URL, createTestDatabase, TestDatabase } from '../support/database';

jest.setTimeout(90_000);

/**
 * The console's refresh cookie goes only when the cloud refuses the session: a refresh the cloud
 * could not carry out (its database away for a moment) leaves the browser signed in.
 */
describe('console refresh while the database is away', () => {
  let database: TestDatabase;
  let cloud: CloudHarness;
  const host = 'cos.example';
  const name = () => new URL(database.url).pathname.slice(1);

  async function admin(sql: string): Promise<void> {
    const client = new Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
  const consoleCall = (path: string, cookie?: string, body: object = {}) => {
    const req = cloud.raw().post(path).set('Host', host).set('Origin', `http://${host}`);
    return (cookie ? req.set('Cookie', cookie) : req).send(body);
  };
  const setCookies = (res: { headers: Record<string, unknown> }) => (res.headers['set-cookie'] as string[] | undefined) ?? [];

  beforeAll(async () => {
    database = await createTestDatabase();
    cloud = await startCloud({ databaseUrl: database.url, env: { REFRESH_REUSE_GRACE_SECONDS: '0' } });
  });
  afterAll(async () => {
    await admin(`ALTER DATABASE ${name()} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await cloud.close();
    await database.drop();
  });

  it('keeps the cookie when the refresh fails for want of the database, and the same cookie refreshes once it is back', async () => {
    const email = 'away@example.com';
    const password = 'the away password';
    expect((await cloud.post('/auth/register', { email, password })).code).toBe(0);
    const cookie = setCookies(await consoleCall('/auth/console/login', undefined, { email, password }))[0].split(';')[0];

    await admin(`ALTER DATABASE ${name()} ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name()}' AND pid <> pg_backend_pid()`);
    const during = await consoleCall('/auth/console/refresh', cookie);
    expect(during.body).toMatchObject({ code: 503, msg: expect.stringContaining('database') });
    // No Set-Cookie at all: neither a new one (nothing rotated) nor one that clears it.
    expect(setCookies(during)).toEqual([]);

    await admin(`ALTER DATABASE ${name()} ALLOW_CONNECTIONS true`);
    let after = await consoleCall('/auth/console/refresh', cookie);
    for (let i = 0; i < 50 && after.body.code !== 0 && after.body.code !== 401; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await consoleCall('/auth/console/refresh', cookie);
    }
    expect(after.body).toMatchObject({ code: 0, data: { accessToken: expect.any(String) } });
    // A refused cookie still goes.
    const refused = await consoleCall('/auth/console/refresh', `${cookie.split('=')[0]}=no-such-session.secret`);
    expect(refused.body).toMatchObject({ code: 401, msg: expect.stringMatching(/^your session has ended \(/) });
    expect(setCookies(refused).join()).toMatch(/cos_console_refresh=;/);
  });

  it('says in plain words why a refresh was refused: a cookie used twice ends the session', async () => {
    const email = 'twice@example.com';
    const password = 'the twice password';
    expect((await cloud.post('/auth/register', { email, password })).code).toBe(0);
    const cookie = setCookies(await consoleCall('/auth/console/login', undefined, { email, password }))[0].split(';')[0];
    expect((await consoleCall('/auth/console/refresh', cookie)).body.code).toBe(0);
    const replayed = await consoleCall('/auth/console/refresh', cookie);
    expect(replayed.body).toMatchObject({
      code: 401,
      msg: expect.stringMatching(/^your session was ended because its sign-in cookie was used twice/),
    });
    expect(setCookies(replayed).join()).toMatch(/cos_console_refresh=;/);
  });
});
