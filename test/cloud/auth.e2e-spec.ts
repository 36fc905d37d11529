import { CloudHarness, startCloud } from '../support/cloud-app';
import { registerOwner, snapshot } from '../support/factories';

describe('identity: register, login, refresh, logout, API tokens', () => {
  let cloud: CloudHarness;
  beforeAll(async () => {
    // A replaced refresh token is taken again for 2 s: long enough to be seen, short enough to wait past.
    cloud = await startCloud({ env: { LOGIN_THROTTLE_LIMIT: '5', LOGIN_THROTTLE_TTL_SECONDS: '60', REFRESH_REUSE_GRACE_SECONDS: '2' } });
  });
  afterAll(() => cloud.close());

  it('registers an owner with a team and logs in', async () => {
    const reg = await cloud.post('/auth/register', {
      email: 'Alice@Example.com',
      password: 'alice-password',
      name: 'Alice',
      teamName: 'Alice Shop',
    });
    expect(reg).toMatchObject({
      code: 0,
      data: { user: { email: 'Alice@Example.com', role: 'owner' }, team: { name: 'Alice Shop' }, expiresIn: 900 },
    });
    const login = await cloud.post('/auth/login', { email: 'alice@example.com', password: 'alice-password' });
    expect(login).toMatchObject({
      code: 0,
      data: { accessToken: expect.any(String), refreshToken: expect.any(String), user: { id: reg.data.user.id } },
    });
    const me = await cloud.post('/auth/me', {}, login.data.accessToken);
    expect(me.data).toMatchObject({ user: { email: 'Alice@Example.com' }, team: { name: 'Alice Shop' }, scope: 'all', groupIds: [] });
    expect(me.data.permissions).toContain('team:manage');
    const [row] = await cloud.db.query(`SELECT password_hash FROM users WHERE id = $1`, [reg.data.user.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect((await cloud.post('/auth/register', { email: 'alice@EXAMPLE.com', password: 'another-pass' })).code).toBe(409);
  });

  it('answers an unknown email and a wrong password alike', async () => {
    await registerOwner(cloud, { email: 'bob@example.com', password: 'bob-password' });
    const unknown = await cloud.post('/auth/login', { email: 'nobody@example.com', password: 'bob-password' });
    const wrong = await cloud.post('/auth/login', { email: 'bob@example.com', password: 'not-bobs' });
    expect(unknown).toEqual({ code: 401, msg: 'Invalid email or password', data: {} });
    expect(wrong).toEqual(unknown);
  });

  it('throttles login attempts per address and email with HTTP 429', async () => {
    await registerOwner(cloud, { email: 'carol@example.com', password: 'carol-password' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await cloud
        .raw()
        .post('/auth/login')
        .send({ email: 'carol@example.com', password: 'guess' + i });
      statuses.push(res.status);
      if (res.status === 429) expect(res.body).toEqual({ code: 429, msg: expect.stringContaining('Too many'), data: {} });
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await cloud.post('/auth/login', { email: 'carol@example.com', password: 'carol-password' })).code).toBe(429);
    // another account from the same address is not locked out
    await registerOwner(cloud, { email: 'dave@example.com', password: 'dave-password' });
    expect((await cloud.post('/auth/login', { email: 'dave@example.com', password: 'dave-password' })).code).toBe(0);
  });

  it('rotates refresh tokens and ends the session when an old one is replayed', async () => {
    const owner = await cloud.post('/auth/register', { email: 'erin@example.com', password: 'erin-password' });
    const first = owner.data.refreshToken;
    const second = await cloud.post('/auth/refresh', { refreshToken: first });
    expect(second).toMatchObject({ code: 0, data: { accessToken: expect.any(String), refreshToken: expect.any(String) } });
    expect(second.data.refreshToken).not.toBe(first);
    expect((await cloud.post('/auth/me', {}, second.data.accessToken)).code).toBe(0);

    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const replay = await cloud.post('/auth/refresh', { refreshToken: first });
    expect(replay).toMatchObject({ code: 401, msg: expect.stringContaining('already used') });
    expect((await cloud.post('/auth/refresh', { refreshToken: second.data.refreshToken })).code).toBe(401);
    expect((await cloud.post('/auth/me', {}, second.data.accessToken)).code).toBe(401);
    expect((await cloud.post('/auth/refresh', { refreshToken: 'garbage' })).code).toBe(401);
  });

  it('answers a replaced refresh token within the grace (an answer its client never read) with the same new token, and never after', async () => {
    const owner = await cloud.post('/auth/register', { email: 'grace@example.com', password: 'grace-password' });
    const first = owner.data.refreshToken as string;
    // A reload cut the first refresh off after the cloud answered it: the client still holds `first`.
    const unread = await cloud.post('/auth/refresh', { refreshToken: first });
    expect(unread.code).toBe(0);
    const again = await cloud.post('/auth/refresh', { refreshToken: first });
    expect(again).toMatchObject({ code: 0, data: { accessToken: expect.any(String), refreshToken: unread.data.refreshToken } });
    expect(again.data.refreshToken).not.toBe(first);
    expect((await cloud.post('/auth/me', {}, again.data.accessToken)).code).toBe(0);
    const current = await cloud.post('/auth/refresh', { refreshToken: again.data.refreshToken });
    expect(current.code).toBe(0);
    // Past the grace, the replaced token is a replay: the whole session ends.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await cloud.post('/auth/refresh', { refreshToken: again.data.refreshToken })).toMatchObject({
      code: 401,
      msg: expect.stringContaining('already used'),
    });
    expect((await cloud.post('/auth/refresh', { refreshToken: current.data.refreshToken })).code).toBe(401);
    expect((await cloud.post('/auth/me', {}, current.data.accessToken)).code).toBe(401);
  });

  it.each([2, 3, 10])(
    'takes the current refresh token sent %i times at once (tabs restored together, a reload and the refresh it cut off): all answered alike',
    async (copies) => {
      const owner = await cloud.post('/auth/register', { email: `tabs${copies}@example.com`, password: 'tabs-password' });
      let token = owner.data.refreshToken as string;
      for (let round = 0; round < 5; round++) {
        const all = await Promise.all(Array.from({ length: copies }, () => cloud.post('/auth/refresh', { refreshToken: token })));
        expect(all.map((answer) => [answer.code, answer.msg])).toEqual(all.map(() => [0, 'success']));
        // One new token for them all: whichever answer the browser keeps, its cookie is the current one.
        expect(new Set(all.map((answer) => answer.data.refreshToken)).size).toBe(1);
        for (const answer of all) expect((await cloud.post('/auth/me', {}, answer.data.accessToken)).code).toBe(0);
        token = all[round % copies].data.refreshToken;
      }
      expect((await cloud.post('/auth/refresh', { refreshToken: token })).code).toBe(0);
    },
  );

  it('ends the session when any earlier refresh token comes back, not only the one just replaced: a thief who rotated on is caught', async () => {
    const victim = await cloud.post('/auth/register', { email: 'stolen@example.com', password: 'stolen-password' });
    const stolen = victim.data.refreshToken as string;
    // The thief refreshes with the stolen token and goes on rotating; the victim's token falls two rotations behind.
    const thief1 = await cloud.post('/auth/refresh', { refreshToken: stolen });
    const thief2 = await cloud.post('/auth/refresh', { refreshToken: thief1.data.refreshToken });
    const thief3 = await cloud.post('/auth/refresh', { refreshToken: thief2.data.refreshToken });
    expect([thief1.code, thief2.code, thief3.code]).toEqual([0, 0, 0]);
    expect(await cloud.post('/auth/refresh', { refreshToken: stolen })).toMatchObject({
      code: 401,
      msg: 'Refresh token was already used; the session has been ended',
    });
    expect((await cloud.post('/auth/refresh', { refreshToken: thief3.data.refreshToken })).code).toBe(401);
    expect((await cloud.post('/auth/me', {}, thief3.data.accessToken)).code).toBe(401);
    // A made-up secret for a live session ends nothing.
    const other = await cloud.post('/auth/register', { email: 'guessed@example.com', password: 'guessed-password' });
    const [sessionId] = (other.data.refreshToken as string).split('.');
    expect((await cloud.post('/auth/refresh', { refreshToken: `${sessionId}.${'A'.repeat(43)}` })).msg).toBe(
      'Refresh token invalid or expired',
    );
    expect((await cloud.post('/auth/refresh', { refreshToken: other.data.refreshToken })).code).toBe(0);
  });

  it('logout ends the access and refresh tokens of the session only', async () => {
    await registerOwner(cloud, { email: 'frank@example.com', password: 'frank-password' });
    const a = await cloud.post('/auth/login', { email: 'frank@example.com', password: 'frank-password' });
    const b = await cloud.post('/auth/login', { email: 'frank@example.com', password: 'frank-password' });
    expect((await cloud.post('/auth/logout', {}, a.data.accessToken)).code).toBe(0);
    expect((await cloud.post('/auth/me', {}, a.data.accessToken)).msg).toContain('Session ended');
    expect((await cloud.post('/auth/refresh', { refreshToken: a.data.refreshToken })).code).toBe(401);
    expect((await cloud.post('/auth/me', {}, b.data.accessToken)).code).toBe(0);
  });

  it("logout ends a session only for its current refresh token and its own user; an API token's logout takes none", async () => {
    const victim = await cloud.post('/auth/register', { email: 'victim@example.com', password: 'victim-password' });
    const attacker = await registerOwner(cloud);
    const [victimSession] = victim.data.refreshToken.split('.');
    const script = (await cloud.post('/auth/token/create', { name: 'script' }, victim.data.accessToken)).data;
    const ended = async () => ({
      sessions: (await cloud.db.query(`SELECT count(*)::int AS n FROM auth_sessions WHERE revoked_at IS NOT NULL`))[0].n,
      tokens: (await cloud.db.query(`SELECT count(*)::int AS n FROM api_tokens WHERE revoked_at IS NOT NULL`))[0].n,
      audit: (await cloud.db.query(`SELECT count(*)::int AS n FROM audit_events`))[0].n,
    });
    const before = await ended();
    const invalid = { code: 401, msg: 'Refresh token invalid or expired', data: {} };
    // A session id is not a credential: with a made-up secret, or with the real token of another user, nothing ends.
    expect(await cloud.post('/auth/logout', { refreshToken: `${victimSession}.${'A'.repeat(43)}` }, attacker.token)).toEqual(invalid);
    expect(await cloud.post('/auth/logout', { refreshToken: victim.data.refreshToken }, attacker.token)).toEqual(invalid);
    // An API token ends only itself, never its user's sign-in.
    expect(await cloud.post('/auth/logout', { refreshToken: victim.data.refreshToken }, script.token)).toEqual({
      code: 211,
      msg: 'refreshToken is not accepted with an API token: its logout revokes the token it came with',
      data: {},
    });
    expect(await ended()).toEqual(before);
    for (const token of [victim.data.accessToken, script.token, attacker.token])
      expect((await cloud.post('/auth/me', {}, token)).code).toBe(0);
    expect((await cloud.post('/auth/refresh', { refreshToken: victim.data.refreshToken })).code).toBe(0);
  });

  it('refuses missing, malformed, forged and expired tokens', async () => {
    const owner = await registerOwner(cloud);
    expect(await cloud.post('/auth/me', {})).toEqual({ code: 401, msg: 'Missing Bearer token', data: {} });
    expect((await cloud.post('/auth/me', {}, 'abc.def.ghi')).msg).toBe('Token invalid');
    // The genuine token is accepted first (and remembered as verified): a forgery of it is not.
    expect((await cloud.post('/auth/me', {}, owner.token)).code).toBe(0);
    const forged = owner.token.slice(0, -4) + (owner.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(await cloud.post('/auth/me', {}, forged)).toEqual({ code: 401, msg: 'Token invalid', data: {} });
    const [session] = await cloud.db.query(`SELECT id FROM auth_sessions WHERE user_id = $1`, [owner.userId]);
    const expired = cloud.signToken({ sub: owner.userId, sid: session.id, tid: owner.teamId }, { expiresIn: -1 });
    expect(await cloud.post('/auth/me', {}, expired)).toEqual({ code: 401, msg: 'Token expired', data: {} });
    // A token accepted while valid is refused once its expiry passes.
    const shortLived = cloud.signToken({ sub: owner.userId, sid: session.id, tid: owner.teamId }, { expiresIn: 1 });
    expect((await cloud.post('/auth/me', {}, shortLived)).code).toBe(0);
    // A pause past the token's own expiry is the point: until the second its exp names has begun.
    const { exp } = JSON.parse(Buffer.from(shortLived.split('.')[1], 'base64url').toString()) as { exp: number };
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 20));
    expect(await cloud.post('/auth/me', {}, shortLived)).toEqual({ code: 401, msg: 'Token expired', data: {} });
  });

  it('creates personal API tokens shown once, stored hashed, revocable', async () => {
    const owner = await registerOwner(cloud);
    const created = await cloud.post('/auth/token/create', { name: 'export script', expiresInDays: 30 }, owner.token);
    expect(created).toMatchObject({ code: 0, data: { name: 'export script', token: expect.stringMatching(/^cos_pat_/), revoked: false } });
    const token: string = created.data.token;
    const [row] = await cloud.db.query(`SELECT token_hash FROM api_tokens WHERE id = $1`, [created.data.id]);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);

    expect((await cloud.post('/browser/list', {}, token)).code).toBe(0);
    const listed = await cloud.post('/auth/token/list', {}, owner.token);
    expect(listed.data.list).toEqual([
      expect.objectContaining({ id: created.data.id, tokenPrefix: token.slice(0, 14), lastUsedAt: expect.any(String) }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(token);

    expect((await cloud.post('/auth/token/revoke', { id: created.data.id }, owner.token)).code).toBe(0);
    expect(await cloud.post('/browser/list', {}, token)).toEqual({ code: 401, msg: 'API token invalid, expired or revoked', data: {} });
    expect((await cloud.post('/auth/token/revoke', { id: created.data.id }, owner.token)).code).toBe(404);
  });

  it('lets an API token create tokens only with that right; a child never outlives nor out-privileges its parent, and is revoked with it', async () => {
    const owner = await registerOwner(cloud);
    const create = (body: object, token: string) => cloud.post('/auth/token/create', body, token);
    const tokenCount = async () => (await cloud.db.query(`SELECT count(*)::int AS n FROM api_tokens`))[0].n;

    // Without the right (the default), a token creates nothing.
    const plain = (await create({ name: 'plain', expiresInDays: 1 }, owner.token)).data;
    expect(plain).toMatchObject({ mayCreateTokens: false, parentId: null });
    let before = await tokenCount();
    expect(await create({ name: 'minted' }, plain.token)).toEqual({ code: 403, msg: 'This API token may not create tokens', data: {} });
    expect(await tokenCount()).toBe(before);

    // With it: a child with no expiry asked gets the parent's; a longer one is refused.
    const parent = (await create({ name: 'parent', expiresInDays: 1, mayCreateTokens: true }, owner.token)).data;
    expect(parent).toMatchObject({ mayCreateTokens: true, parentId: null });
    before = await tokenCount();
    expect(await create({ name: 'forever', expiresInDays: 30 }, parent.token)).toMatchObject({
      code: 403,
      msg: expect.stringContaining('cannot outlive it'),
    });
    expect(await tokenCount()).toBe(before);
    const child = (await create({ name: 'child', mayCreateTokens: true }, parent.token)).data;
    expect(child).toMatchObject({ parentId: parent.id, mayCreateTokens: true, expiresAt: parent.expiresAt });
    const grandchild = (await create({ name: 'grandchild' }, child.token)).data;
    expect(grandchild).toMatchObject({ parentId: child.id, mayCreateTokens: false, expiresAt: parent.expiresAt });
    expect(await create({ name: 'again' }, grandchild.token)).toMatchObject({ code: 403 });

    // Revoking the parent revokes its children at every depth, at once.
    for (const t of [child, grandchild]) expect((await cloud.post('/auth/me', {}, t.token)).code).toBe(0);
    expect((await cloud.post('/auth/token/revoke', { id: parent.id }, owner.token)).code).toBe(0);
    for (const t of [parent, child, grandchild]) expect((await cloud.post('/auth/me', {}, t.token)).code).toBe(401);
    const listed = (await cloud.post('/auth/token/list', {}, owner.token)).data.list;
    expect(
      listed
        .filter((t: { revoked: boolean }) => t.revoked)
        .map((t: { id: number }) => t.id)
        .sort(),
    ).toEqual([parent.id, child.id, grandchild.id].sort());
    // A login still creates tokens, and a plain token still works for everything else.
    expect((await cloud.post('/browser/list', {}, plain.token)).code).toBe(0);
  });

  it('an API token lists and revokes only itself and the tokens created from it; a login sees them all', async () => {
    const owner = await registerOwner(cloud);
    const create = async (body: object, token: string) => (await cloud.post('/auth/token/create', body, token)).data;
    const plain = await create({ name: 'plain' }, owner.token);
    const sibling = await create({ name: 'sibling' }, owner.token);
    const parent = await create({ name: 'parent', mayCreateTokens: true }, owner.token);
    const child = await create({ name: 'child', mayCreateTokens: true }, parent.token);
    const grandchild = await create({ name: 'grandchild' }, child.token);
    const ids = async (token: string) => (await cloud.post('/auth/token/list', {}, token)).data.list.map((t: { id: number }) => t.id);

    expect(await ids(plain.token)).toEqual([plain.id]);
    expect(await ids(child.token)).toEqual([grandchild.id, child.id]);
    expect(await ids(parent.token)).toEqual([grandchild.id, child.id, parent.id]);
    expect(await ids(owner.token)).toEqual([grandchild.id, child.id, parent.id, sibling.id, plain.id]);

    // Another token of the user is answered like an unknown one, and stays as it was. (A token's
    // first call records when it was used: every one has made it before the snapshot.)
    expect(await ids(grandchild.token)).toEqual([grandchild.id]);
    const unknown = await cloud.post('/auth/token/revoke', { id: 999999 }, plain.token);
    expect(unknown).toEqual({ code: 404, msg: 'API token 999999 not found', data: {} });
    const before = await snapshot(cloud);
    const [audit] = await cloud.db.query(`SELECT count(*)::int AS n FROM audit_events`);
    for (const [caller, target] of [
      [plain, sibling],
      [plain, parent],
      [child, parent],
      [grandchild, child],
      [child, sibling],
    ]) {
      expect(await cloud.post('/auth/token/revoke', { id: target.id }, caller.token)).toEqual({
        code: 404,
        msg: `API token ${target.id} not found`,
        data: {},
      });
    }
    expect(await snapshot(cloud)).toBe(before);
    expect((await cloud.db.query(`SELECT count(*)::int AS n FROM audit_events`))[0].n).toBe(audit.n);
    for (const t of [sibling, parent, child, grandchild]) expect((await cloud.post('/auth/me', {}, t.token)).code).toBe(0);

    // Its own line it may end: a child (with its children), and itself.
    expect((await cloud.post('/auth/token/revoke', { id: child.id }, parent.token)).code).toBe(0);
    for (const t of [child, grandchild]) expect((await cloud.post('/auth/me', {}, t.token)).code).toBe(401);
    expect((await cloud.post('/auth/token/revoke', { id: plain.id }, plain.token)).code).toBe(0);
    expect((await cloud.post('/auth/me', {}, plain.token)).code).toBe(401);
    for (const t of [sibling, parent]) expect((await cloud.post('/auth/me', {}, t.token)).code).toBe(0);
  });

  it('logout with an API token revokes that token and those it created, as a revoke would; nothing else', async () => {
    const owner = await registerOwner(cloud);
    const create = async (body: object, token: string) => (await cloud.post('/auth/token/create', body, token)).data;
    const script = await create({ name: 'script', mayCreateTokens: true }, owner.token);
    const child = await create({ name: 'child' }, script.token);
    const other = await create({ name: 'other' }, owner.token);
    for (const t of [script, child, other]) expect((await cloud.post('/auth/me', {}, t.token)).code).toBe(0);
    const version = async () =>
      Number((await cloud.db.query(`SELECT auth_version FROM users WHERE id = $1`, [owner.userId]))[0].auth_version);
    const versionBefore = await version();

    expect(await cloud.post('/auth/logout', {}, script.token)).toEqual({ code: 0, msg: 'success', data: {} });
    const revoked = { code: 401, msg: 'API token invalid, expired or revoked', data: {} };
    for (const t of [script, child]) expect(await cloud.post('/auth/me', {}, t.token)).toEqual(revoked);
    // The change every replica checks before reusing a remembered caller.
    expect(await version()).toBeGreaterThan(versionBefore);
    for (const token of [other.token, owner.token]) expect((await cloud.post('/auth/me', {}, token)).code).toBe(0);
    const listed = (await cloud.post('/auth/token/list', {}, owner.token)).data.list;
    expect(listed.filter((t: { revoked: boolean }) => t.revoked).map((t: { id: number }) => t.id)).toEqual([child.id, script.id]);
    const trail = await cloud.post('/audit/list', { kind: 'token.revoked' }, owner.token);
    expect(trail.data.list.map((e: { data: unknown }) => e.data)).toEqual([{ tokenId: script.id, childTokenIds: [child.id] }]);
  });

  it('can disable registration', async () => {
    const closed = await startCloud({ env: { REGISTRATION_ENABLED: 'false' } });
    try {
      const before = await snapshot(closed);
      expect(await closed.post('/auth/register', { email: 'x@example.com', password: 'password-1' })).toEqual({
        code: 403,
        msg: 'Registration is disabled',
        data: {},
      });
      expect(await snapshot(closed)).toBe(before);
    } finally {
      await closed.close();
    }
  });
});

describe('team administration', () => {
  let cloud: CloudHarness;
  beforeAll(async () => {
    cloud = await startCloud();
  });
  afterAll(() => cloud.close());

  it("adds, updates and removes members; a removed member's tokens stop at once", async () => {
    const owner = await registerOwner(cloud);
    const group = (await cloud.post('/group/add', { name: 'g' }, owner.token)).data.id;
    const added = await cloud.post(
      '/team/member/add',
      { email: 'm1@example.com', password: 'member-pass', name: 'M', permissions: ['browser:list'], scope: 'groups', groupIds: [group] },
      owner.token,
    );
    expect(added).toMatchObject({
      code: 0,
      data: { email: 'm1@example.com', role: 'member', permissions: ['browser:list'], scope: 'groups', groupIds: [group] },
    });
    const member = await cloud.post('/auth/login', { email: 'm1@example.com', password: 'member-pass' });
    expect((await cloud.post('/auth/me', {}, member.data.accessToken)).data).toMatchObject({
      permissions: ['browser:list'],
      scope: 'groups',
      groupIds: [group],
    });

    const updated = await cloud.post(
      '/team/member/update',
      { userId: added.data.id, permissions: ['browser:list', 'browser:open'], scope: 'all' },
      owner.token,
    );
    expect(updated.data).toMatchObject({ permissions: ['browser:list', 'browser:open'], scope: 'all', groupIds: [group] });
    expect((await cloud.post('/auth/me', {}, member.data.accessToken)).data).toMatchObject({ scope: 'all', groupIds: [] });

    const list = await cloud.post('/team/member/list', {}, owner.token);
    expect(list.data.list.map((m: { email: string }) => m.email)).toEqual([owner.email, 'm1@example.com']);
    const catalogue = await cloud.post('/team/permission/list', {}, owner.token);
    expect(catalogue.data.list.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['browser:list', 'browser:update:batch', 'team:manage', 'proxy:manage']),
    );

    expect((await cloud.post('/team/member/remove', { userId: added.data.id }, owner.token)).code).toBe(0);
    expect((await cloud.post('/auth/me', {}, member.data.accessToken)).code).toBe(401);
  });

  it('only an owner makes, changes or removes admins, and the last owner stays', async () => {
    const owner = await registerOwner(cloud);
    const admin = await cloud.post('/team/member/add', { email: 'adm@example.com', password: 'admin-pass', role: 'admin' }, owner.token);
    expect(admin.data.role).toBe('admin');
    const adminLogin = await cloud.post('/auth/login', { email: 'adm@example.com', password: 'admin-pass' });
    const adminToken = adminLogin.data.accessToken;

    const before = await snapshot(cloud);
    expect(
      await cloud.post('/team/member/add', { email: 'adm2@example.com', password: 'admin-pass', role: 'admin' }, adminToken),
    ).toMatchObject({ code: 403, msg: 'Only an owner can make an admin' });
    expect((await cloud.post('/team/member/update', { userId: owner.userId, role: 'member' }, adminToken)).code).toBe(403);
    expect((await cloud.post('/team/member/remove', { userId: owner.userId }, adminToken)).code).toBe(403);
    expect((await cloud.post('/team/member/update', { userId: owner.userId, role: 'admin' }, owner.token)).code).toBe(409);
    expect((await cloud.post('/team/member/remove', { userId: owner.userId }, owner.token)).code).toBe(409);
    expect(await snapshot(cloud)).toBe(before);

    const member = await cloud.post('/team/member/add', { email: 'plain@example.com', password: 'plain-pass' }, adminToken);
    expect(member).toMatchObject({ code: 0, data: { role: 'member' } });
    expect((await cloud.post('/team/member/update', { userId: admin.data.id, role: 'member' }, owner.token)).data.role).toBe('member');
    expect((await cloud.post('/team/member/update', { userId: admin.data.id, role: 'owner' }, owner.token)).data.role).toBe('owner');
    expect((await cloud.post('/team/member/update', { userId: owner.userId, role: 'member' }, owner.token)).code).toBe(0);
  });

  it('a member with team:manage grants only permissions they hold', async () => {
    const owner = await registerOwner(cloud);
    await cloud.post(
      '/team/member/add',
      { email: 'hr@example.com', password: 'hr-password', permissions: ['team:manage', 'browser:list'] },
      owner.token,
    );
    const hr = (await cloud.post('/auth/login', { email: 'hr@example.com', password: 'hr-password' })).data;
    const before = await snapshot(cloud);
    expect(
      await cloud.post(
        '/team/member/add',
        { email: 'x1@example.com', password: 'password-1', permissions: ['browser:delete:permanent'] },
        hr.accessToken,
      ),
    ).toMatchObject({ code: 403, msg: expect.stringContaining('browser:delete:permanent') });
    expect((await cloud.post('/team/member/update', { userId: hr.user.id, permissions: ['proxy:manage'] }, hr.accessToken)).code).toBe(403);
    expect(await snapshot(cloud)).toBe(before);
    expect(
      (
        await cloud.post(
          '/team/member/add',
          { email: 'x2@example.com', password: 'password-1', permissions: ['browser:list'] },
          hr.accessToken,
        )
      ).code,
    ).toBe(0);
  });

  it('a member limited to groups sees and changes only windows in them', async () => {
    const owner = await registerOwner(cloud);
    const mine = (await cloud.post('/group/add', { name: 'mine' }, owner.token)).data.id;
    const theirs = (await cloud.post('/group/add', { name: 'theirs' }, owner.token)).data.id;
    const inside = (await cloud.post('/browser/update', { groupId: mine }, owner.token)).data;
    const outside = (await cloud.post('/browser/update', { groupId: theirs }, owner.token)).data;
    const ungrouped = (await cloud.post('/browser/update', {}, owner.token)).data;
    await cloud.post(
      '/team/member/add',
      {
        email: 'scoped@example.com',
        password: 'scoped-pass',
        permissions: ['browser:list', 'browser:update:batch', 'browser:update:single', 'browser:create:single'],
        scope: 'groups',
        groupIds: [mine],
      },
      owner.token,
    );
    const token = (await cloud.post('/auth/login', { email: 'scoped@example.com', password: 'scoped-pass' })).data.accessToken;

    const list = await cloud.post('/browser/list', {}, token);
    expect(list.data.list.map((w: { id: number }) => w.id)).toEqual([inside.id]);
    expect((await cloud.post('/group/list', {}, token)).data.list.map((g: { id: number }) => g.id)).toEqual([mine]);
    expect((await cloud.post('/browser/detail', { id: ungrouped.id }, token)).code).toBe(404);
    expect((await cloud.post('/browser/update/partial', { ids: [inside.id, outside.id], remark: 'x' }, token)).code).toBe(403);
    expect((await cloud.post('/browser/group/update', { ids: [inside.id], groupId: theirs }, token)).code).toBe(403);
    expect((await cloud.post('/browser/update', { name: 'ungrouped' }, token)).code).toBe(211);
    expect((await cloud.post('/browser/update', { name: 'in mine', groupId: mine }, token)).code).toBe(0);
  });
});
