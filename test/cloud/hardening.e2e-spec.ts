import { CaptureServer, startCaptureServer } from '../support/capture-server';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createGroup, createWindow, registerOwner, snapshot } from '../support/factories';

const DEVICE = 'device-hardening-1';

describe('secrets follow their endpoint, scopes cannot be widened', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let attacker: CaptureServer;

  beforeAll(async () => {
    cloud = await startCloud({ env: { PROXY_CHECK_TIMEOUT_MS: '2000' } });
    owner = await registerOwner(cloud);
    attacker = await startCaptureServer();
  });
  afterAll(async () => {
    await cloud.close();
    await attacker.close();
  });

  describe('proxy passwords', () => {
    it('drops a window proxy password when a member moves the host without sending it, and says so', async () => {
      const editor = await addMember(cloud, owner, { permissions: ['browser:update:single', 'browser:list'] });
      const window = await createWindow(cloud, owner, {
        proxyType: 'http',
        host: 'proxy.example.net',
        port: 8080,
        proxyUserName: 'u',
        proxyPassword: 'victim-secret',
      });

      const renamed = await cloud.post('/browser/update', { id: window.id, name: 'renamed', proxyUserName: 'u2' }, editor.token);
      expect(renamed.data).toMatchObject({ hasProxyPassword: true });
      expect(renamed.data.proxyPasswordCleared).toBeUndefined();

      const moved = await cloud.post('/browser/update', { id: window.id, host: '127.0.0.1', port: attacker.port }, editor.token);
      expect(moved).toMatchObject({ code: 0, data: { host: '127.0.0.1', hasProxyPassword: false, proxyPasswordCleared: true } });
      const launch = await cloud.post('/browser/launch', { uuid: window.uuid, deviceId: DEVICE }, owner.token);
      expect(launch.data.proxy).toMatchObject({ host: '127.0.0.1', proxyPassword: '' });
      await cloud.post('/browser/close', { uuid: window.uuid, deviceId: DEVICE }, owner.token);

      for (const change of [{ port: 8081 }, { proxyType: 'socks5' }, { proxyMethod: 3, dynamicIpUrl: 'https://api.example.net/get' }]) {
        const fresh = await createWindow(cloud, owner, {
          proxyType: 'http',
          host: 'proxy.example.net',
          port: 8080,
          proxyPassword: 'victim-secret',
        });
        const answer = await cloud.post('/browser/update', { id: fresh.id, ...change }, editor.token);
        expect(answer.data).toMatchObject({ hasProxyPassword: false, proxyPasswordCleared: true });
      }
      const resent = await createWindow(cloud, owner, { proxyType: 'http', host: 'proxy.example.net', port: 8080, proxyPassword: 'old' });
      const withPassword = await cloud.post(
        '/browser/update',
        { id: resent.id, host: 'other.example.net', proxyPassword: 'new' },
        editor.token,
      );
      expect(withPassword.data).toMatchObject({ hasProxyPassword: true });
      expect(withPassword.data.proxyPasswordCleared).toBeUndefined();
    });

    it('drops a saved proxy password when its host moves, so /proxy/check sends no credentials to the new host', async () => {
      const manager = await addMember(cloud, owner, { permissions: ['proxy:manage'] });
      const saved = await cloud.post(
        '/proxy/add',
        {
          name: 'team pool',
          proxyType: 'http',
          host: 'pool.example.net',
          port: 3128,
          proxyUserName: 'team',
          proxyPassword: 'victim-secret',
        },
        owner.token,
      );
      const moved = await cloud.post('/proxy/update', { id: saved.data.id, host: '127.0.0.1', port: attacker.port }, manager.token);
      expect(moved).toMatchObject({ code: 0, data: { hasProxyPassword: false, proxyPasswordCleared: true } });
      const check = await cloud.post('/proxy/check', { id: saved.data.id }, manager.token);
      expect(check).toMatchObject({ code: 0, data: { ok: false } });
      expect(attacker.connections).toBeGreaterThan(0);
      const sent = [...attacker.received().matchAll(/proxy-authorization: basic (\S+)/gi)].map((m) =>
        Buffer.from(m[1], 'base64').toString(),
      );
      expect(sent.join('\n')).not.toContain('victim-secret');
      expect(attacker.received()).not.toContain('victim-secret');

      const renamed = await cloud.post('/proxy/update', { id: saved.data.id, name: 'renamed', proxyPassword: 'again' }, manager.token);
      expect(renamed.data).toMatchObject({ hasProxyPassword: true });
      expect((await cloud.post('/proxy/update', { id: saved.data.id, remark: 'x' }, manager.token)).data).toMatchObject({
        hasProxyPassword: true,
      });
    });
  });

  describe('a member limited to some groups', () => {
    let mine: number;
    let theirs: number;
    let limited: Account;

    beforeAll(async () => {
      mine = await createGroup(cloud, owner);
      theirs = await createGroup(cloud, owner);
      limited = await addMember(cloud, owner, {
        permissions: ['team:manage', 'group:manage', 'browser:list', 'browser:open', 'browser:delete:recycle'],
        scope: 'groups',
        groupIds: [mine],
      });
    });

    it('cannot widen their own scope or groups', async () => {
      const before = await snapshot(cloud);
      for (const body of [{ scope: 'all' }, { groupIds: [mine, theirs] }, { scope: 'groups', groupIds: [theirs] }]) {
        const res = await cloud.post('/team/member/update', { userId: limited.userId, ...body }, limited.token);
        expect(res).toMatchObject({ code: 403, msg: expect.stringMatching(/scope|groups outside your scope/) });
      }
      expect(await snapshot(cloud)).toBe(before);
      const me = await cloud.post('/auth/me', {}, limited.token);
      expect(me.data).toMatchObject({ scope: 'groups', groupIds: [mine] });
    });

    it('grants no scope or groups wider than their own to members they add or change', async () => {
      const before = await snapshot(cloud);
      const add = (body: object) =>
        cloud.post('/team/member/add', { email: `m${Math.random()}@example.com`, password: 'member-password-1', ...body }, limited.token);
      expect(await add({ scope: 'all' })).toMatchObject({ code: 403, msg: expect.stringContaining('scope') });
      expect(await add({ scope: 'groups', groupIds: [theirs] })).toMatchObject({ code: 403, msg: expect.stringContaining(`${theirs}`) });
      const wide = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'all' });
      const beforeWide = await snapshot(cloud);
      expect(await cloud.post('/team/member/update', { userId: wide.userId, permissions: [] }, limited.token)).toMatchObject({ code: 403 });
      expect(await cloud.post('/team/member/remove', { userId: wide.userId }, limited.token)).toMatchObject({ code: 403 });
      expect(await snapshot(cloud)).toBe(beforeWide);
      expect(before).not.toBe(beforeWide);

      const added = await add({ permissions: ['browser:list'], groupIds: [mine] });
      expect(added).toMatchObject({ code: 0, data: { scope: 'groups', groupIds: [mine] } });
      expect(await add({ permissions: ['browser:list'] })).toMatchObject({ code: 0, data: { scope: 'groups', groupIds: [] } });
    });

    it('renames and deletes only groups in their scope; a group they create is theirs', async () => {
      const before = await snapshot(cloud);
      expect(await cloud.post('/group/update', { id: theirs, name: 'taken over' }, limited.token)).toMatchObject({ code: 404 });
      expect(await cloud.post('/group/delete', { id: theirs }, limited.token)).toMatchObject({ code: 404 });
      expect(await snapshot(cloud)).toBe(before);
      expect(await cloud.post('/group/update', { id: mine, name: 'mine renamed' }, limited.token)).toMatchObject({ code: 0 });

      const created = await cloud.post('/group/add', { name: 'made by a limited member' }, limited.token);
      expect(created.code).toBe(0);
      const listed = await cloud.post('/group/list', {}, limited.token);
      expect(listed.data.list.map((g: { id: number }) => g.id).sort()).toEqual([mine, created.data.id].sort());
      expect(await cloud.post('/group/delete', { id: created.data.id }, limited.token)).toMatchObject({ code: 0 });
    });

    it('learns nothing of a binned window outside their scope from /browser/launch', async () => {
      const outside = await createWindow(cloud, owner, { groupId: theirs });
      const inside = await createWindow(cloud, owner, { groupId: mine });
      await cloud.post('/browser/delete/ids', { ids: [outside.id, inside.id] }, owner.token);
      const refused = await cloud.post('/browser/launch', { uuid: outside.uuid, deviceId: DEVICE }, limited.token);
      expect(refused).toEqual({ code: 404, msg: `Window ${outside.uuid} not found`, data: {} });
      expect(await cloud.post('/browser/launch', { uuid: inside.uuid, deviceId: DEVICE }, limited.token)).toMatchObject({
        code: 409,
        msg: expect.stringContaining('recycle bin'),
      });
    });
  });

  describe('races end in 409 or success, never 500', () => {
    it('two owners demoting each other at once: one wins, the other is the last owner', async () => {
      for (let round = 0; round < 5; round++) {
        const first = await registerOwner(cloud);
        const second = await addMember(cloud, first, { role: 'owner' });
        const answers = await Promise.all([
          cloud.post('/team/member/update', { userId: second.userId, role: 'member' }, first.token),
          cloud.post('/team/member/update', { userId: first.userId, role: 'member' }, second.token),
        ]);
        const codes = answers.map((a) => a.code).sort();
        expect(codes).toContain(0);
        expect(codes.every((c) => c === 0 || c === 409 || c === 401 || c === 403)).toBe(true);
        const [{ owners }] = await cloud.db.query(`SELECT count(*)::int AS owners FROM users WHERE team_id = $1 AND role = 'owner'`, [
          first.teamId,
        ]);
        expect(owners).toBe(1);
      }
    });

    it('a group deleted while windows move into it: the windows end ungrouped or the move is refused', async () => {
      for (let round = 0; round < 8; round++) {
        const group = await createGroup(cloud, owner);
        const windows = await Promise.all([1, 2, 3].map(() => createWindow(cloud, owner)));
        const [moved, deleted] = await Promise.all([
          cloud.post('/browser/group/update', { ids: windows.map((w) => w.id), groupId: group }, owner.token),
          cloud.post('/group/delete', { id: group }, owner.token),
        ]);
        expect(deleted.code).toBe(0);
        expect([0, 211]).toContain(moved.code);
        const rows: { group_id: number | null }[] = await cloud.db.query(`SELECT group_id FROM windows WHERE id = ANY($1)`, [
          windows.map((w) => w.id),
        ]);
        expect(rows.every((r) => r.group_id === null)).toBe(true);
      }
    });
  });
});

describe('/proxy/check keeps to public addresses in production', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let listener: CaptureServer;

  beforeAll(async () => {
    cloud = await startCloud({ env: { PROXY_CHECK_PRIVATE_TARGETS: 'false', PROXY_CHECK_TIMEOUT_MS: '2000' } });
    owner = await registerOwner(cloud);
    listener = await startCaptureServer();
  });
  afterAll(async () => {
    await cloud.close();
    await listener.close();
  });

  it('refuses loopback, private and link-local proxies before connecting, and records nothing', async () => {
    for (const host of ['127.0.0.1', 'localhost', '10.1.2.3', '192.168.0.10', '169.254.169.254', '::1', 'fd00::1']) {
      const saved = await cloud.post('/proxy/add', { name: `internal ${host}`, proxyType: 'http', host, port: listener.port }, owner.token);
      expect(saved.code).toBe(0);
      const before = await snapshot(cloud);
      const check = await cloud.post('/proxy/check', { id: saved.data.id }, owner.token);
      expect(check).toMatchObject({ code: 211, msg: expect.stringContaining(`host: ${host} is a`) });
      expect(await snapshot(cloud)).toBe(before);
    }
    expect(listener.connections).toBe(0);
  });

  it('answers a name that does not resolve as a failed check, like an unreachable proxy', async () => {
    const saved = await cloud.post('/proxy/add', { name: 'nowhere', proxyType: 'http', host: 'nowhere.invalid', port: 8080 }, owner.token);
    const check = await cloud.post('/proxy/check', { id: saved.data.id }, owner.token);
    expect(check).toMatchObject({ code: 0, data: { ok: false, reason: 'unreachable' } });
  });
});

describe('login and registration throttling per address', () => {
  let cloud: CloudHarness;

  beforeAll(async () => {
    cloud = await startCloud({ env: { LOGIN_THROTTLE_LIMIT: '3', LOGIN_ADDRESS_THROTTLE_LIMIT: '6', LOGIN_THROTTLE_TTL_SECONDS: '60' } });
  });
  afterAll(() => cloud.close());

  it('counts every email and registration from one address together', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (
          await cloud
            .raw()
            .post('/auth/login')
            .send({ email: `guess${i}@example.com`, password: 'wrong-password' })
        ).status,
      );
    for (let i = 0; i < 2; i++)
      statuses.push(
        (
          await cloud
            .raw()
            .post('/auth/register')
            .send({ email: `new${i}@example.com`, password: 'a long password' })
        ).status,
      );
    const over = await cloud.raw().post('/auth/login').send({ email: 'guess-again@example.com', password: 'wrong-password' });
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(over.status).toBe(429);
    expect(over.body).toEqual({ code: 429, msg: expect.stringContaining('Too many'), data: {} });
    expect((await cloud.raw().post('/auth/register').send({ email: 'one-more@example.com', password: 'a long password' })).status).toBe(
      429,
    );
    const [{ users }] = await cloud.db.query(`SELECT count(*)::int AS users FROM users`);
    expect(users).toBe(2);
  });
});

describe("sign-ins another site posts in its visitors' name", () => {
  let cloud: CloudHarness;

  beforeAll(async () => {
    cloud = await startCloud({ env: { LOGIN_THROTTLE_LIMIT: '3', LOGIN_ADDRESS_THROTTLE_LIMIT: '6', LOGIN_THROTTLE_TTL_SECONDS: '60' } });
  });
  afterAll(() => cloud.close());

  it("are refused before they are counted: forty of them leave the visitors' own sign-in untouched", async () => {
    const email = 'visitor@example.com';
    const password = 'the visitor password';
    expect((await cloud.post('/auth/register', { email, password })).code).toBe(0);
    const host = 'cos.example';
    // A no-cors form post: text/plain, the other site's Origin, the visitor's address.
    const hostile = (path: string, body: object, origin = 'http://evil.example') =>
      cloud.raw().post(path).set('Host', host).set('Origin', origin).set('Content-Type', 'text/plain').send(JSON.stringify(body));
    const answers = new Set<string>();
    for (let i = 0; i < 10; i++) {
      for (const path of ['/auth/console/login', '/auth/login', '/auth/register', '/auth/invite/check', '/auth/invite/accept']) {
        const res = await hostile(path, { email, password: `guess-${i}`, token: 'x'.repeat(43) });
        answers.add(`${path} ${res.body.code} ${res.body.msg}`);
      }
    }
    expect([...answers].sort()).toEqual(
      ['/auth/console/login', '/auth/invite/accept', '/auth/invite/check', '/auth/login', '/auth/register'].map(
        (path) => `${path} 403 Console requests must come from the console, not http://evil.example`,
      ),
    );
    // Origins that are no web page of this cloud are refused the same way.
    for (const origin of ['ws://cos.example', 'http://user@cos.example', 'https://cos.example.evil', 'null'])
      expect({ origin, code: (await hostile('/auth/console/login', { email, password }, origin)).body.code }).toEqual({
        origin,
        code: 403,
      });
    // The visitor signs in from the console and from the API as if nothing had happened.
    const own = await cloud.raw().post('/auth/console/login').set('Host', host).set('Origin', `http://${host}`).send({ email, password });
    expect(own.body).toMatchObject({ code: 0, data: { accessToken: expect.any(String) } });
    expect((await cloud.post('/auth/login', { email, password })).code).toBe(0);
  });

  it('a sign-out sent with the refresh token a refresh had just replaced still ends the session', async () => {
    const email = 'racer@example.com';
    const password = 'the racer password';
    expect((await cloud.post('/auth/register', { email, password })).code).toBe(0);
    const host = 'cos.example';
    const consoleCall = (path: string, cookie?: string, body: object = {}) => {
      const req = cloud.raw().post(path).set('Host', host).set('Origin', `http://${host}`);
      return (cookie ? req.set('Cookie', cookie) : req).send(body);
    };
    const cookieOf = (res: { headers: Record<string, unknown> }) => String((res.headers['set-cookie'] as string[])[0]).split(';')[0];
    const first = cookieOf(await consoleCall('/auth/console/login', undefined, { email, password }));
    // The refresh is answered (the cookie rotates) while the page, not having the answer yet, signs out with the old cookie.
    const rotated = await consoleCall('/auth/console/refresh', first);
    expect(rotated.body.code).toBe(0);
    expect((await consoleCall('/auth/console/logout', first)).body.code).toBe(0);
    // The cookie the late answer brings opens nothing.
    expect((await consoleCall('/auth/console/refresh', cookieOf(rotated))).body).toMatchObject({ code: 401 });
    // A token never issued, or another session's, still ends nothing.
    const other = cookieOf(await consoleCall('/auth/console/login', undefined, { email, password }));
    await consoleCall('/auth/console/logout', `${first.split('=')[0]}=${other.split('=')[1].split('.')[0]}.not-the-secret`);
    expect((await consoleCall('/auth/console/refresh', other)).body.code).toBe(0);
  });
});

describe('login throttling per account, from many addresses', () => {
  let cloud: CloudHarness;
  const from = (address: string, body: object, path = '/auth/login') => cloud.raw().post(path).set('X-Forwarded-For', address).send(body);

  beforeAll(async () => {
    // Per-address limits out of the way: only the per-account one (default 10) is at work.
    cloud = await startCloud({ env: { TRUST_PROXY: 'loopback', LOGIN_THROTTLE_LIMIT: '1000', LOGIN_ADDRESS_THROTTLE_LIMIT: '1000' } });
  });
  afterAll(() => cloud.close());

  it('throttles forty wrong passwords from forty addresses; the owner still signs in from a known address', async () => {
    const email = 'target@example.com';
    const password = 'the owner password';
    expect((await from('203.0.113.7', { email, password }, '/auth/register')).body.code).toBe(0);
    const guesses: number[] = [];
    for (let i = 1; i <= 40; i++) guesses.push((await from(`198.51.100.${i}`, { email, password: `guess-${i}` })).body.code);
    expect(guesses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(guesses.slice(10)).toEqual(Array(30).fill(429));
    const over = await from('198.51.100.99', { email, password });
    expect(over.status).toBe(429);
    expect(over.body).toEqual({ code: 429, msg: expect.stringContaining('Too many wrong passwords'), data: {} });

    // The address the owner registered from is known: the right password passes, a wrong one does not.
    expect((await from('203.0.113.7', { email, password: 'still a guess' })).body.code).toBe(401);
    const owner = await from('203.0.113.7', { email, password });
    expect(owner.body).toMatchObject({ code: 0, data: { accessToken: expect.any(String) } });
    // The console's sign-in is held to the same rule.
    const console = await from('198.51.100.100', { email, password }, '/auth/console/login')
      .set('Host', 'cos.example')
      .set('Origin', 'http://cos.example');
    expect(console.status).toBe(429);

    // An unknown email is answered the same way (no telling which accounts exist), and other accounts are untouched.
    for (let i = 1; i <= 10; i++) await from(`192.0.2.${i}`, { email: 'nobody@example.com', password: `guess-${i}` });
    expect((await from('192.0.2.50', { email: 'nobody@example.com', password: 'x' })).body.code).toBe(429);
    expect((await from('198.51.100.1', { email: 'other@example.com', password: 'the other password' }, '/auth/register')).body.code).toBe(
      0,
    );
    expect((await from('198.51.100.2', { email: 'other@example.com', password: 'the other password' })).body.code).toBe(0);
  });
});
