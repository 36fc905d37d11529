import { CloudHarness, Envelope, startCloud } from '../support/cloud-app';
import { Account, addMember, createGroup, registerOwner, signIn, snapshot } from '../support/factories';

const NOT_VALID = { code: 404, msg: 'This invitation link is not valid any more; ask the team for a new one', data: {} };

describe('invitations: an admin invites, the new member sets their own password', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let other: Account;
  let counter = 0;
  const email = () => `invitee${Date.now()}${counter++}@example.com`;
  /** Every token handed out, to prove none reaches a list, the audit trail or the log. */
  const tokens: string[] = [];
  const logged: string[] = [];
  const writes = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write.bind(stream);
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      logged.push(String(chunk));
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    };
    return () => (stream.write = original);
  });

  beforeAll(async () => {
    cloud = await startCloud();
    owner = await registerOwner(cloud);
    other = await registerOwner(cloud);
  });
  afterAll(async () => {
    await cloud.close();
    for (const restore of writes) restore();
  });

  async function invite(by: Account, body: Record<string, unknown>): Promise<Envelope> {
    const res = await cloud.post('/team/invite/create', body, by.token);
    if (res.code === 0) tokens.push(res.data.token);
    return res;
  }
  /** As the console sends it: from its own origin. */
  const accept = (body: Record<string, unknown>) =>
    cloud.raw().post('/auth/invite/accept').set('Host', 'cos.example').set('Origin', 'http://cos.example').send(body);
  const check = (token: string) => cloud.post('/auth/invite/check', { token });
  const listed = async (by: Account) => (await cloud.post('/team/invite/list', {}, by.token)).data.list as Record<string, unknown>[];

  it('invites, shows the link once, and the accepted member has exactly the invited rights and is signed in', async () => {
    const group = await createGroup(cloud, owner);
    const address = email();
    const created = await invite(owner, { email: address, permissions: ['browser:list', 'task:run'], scope: 'groups', groupIds: [group] });
    expect(created).toMatchObject({ code: 0, data: { email: address, role: 'member', status: 'pending' } });
    const { token, path, expiresAt } = created.data;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(path).toBe(`/#/accept?token=${token}`);
    // INVITE_TTL_HOURS defaults to 72.
    expect(Math.abs(new Date(expiresAt).getTime() - Date.now() - 72 * 3_600_000)).toBeLessThan(60_000);
    // Only the SHA-256 is kept.
    const [row] = await cloud.db.query(`SELECT token_hash FROM invitations WHERE id = $1`, [created.data.id]);
    expect(row.token_hash).not.toContain(token);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);

    const team = await cloud.post('/auth/me', {}, owner.token);
    expect(await check(token)).toEqual({
      code: 0,
      msg: 'success',
      data: { email: address, teamName: team.data.team.name, role: 'member', expiresAt },
    });

    const res = await accept({ token, password: 'my own password', name: 'New One' });
    expect(res.body).toMatchObject({ code: 0, data: { accessToken: expect.any(String), user: { email: address, role: 'member' } } });
    expect(res.body.data.refreshToken).toBeUndefined();
    expect(String(res.headers['set-cookie'])).toMatch(/cos_console_refresh=.+; Path=\/auth\/console; HttpOnly; SameSite=Strict/);
    const me = await cloud.post('/auth/me', {}, res.body.data.accessToken);
    expect(me.data).toMatchObject({ user: { email: address, name: 'New One', teamId: owner.teamId }, scope: 'groups', groupIds: [group] });
    expect(me.data.permissions).toEqual(['browser:list', 'task:run']);
    // The password is theirs: a normal sign-in works.
    await signIn(cloud, { email: address, password: 'my own password' });

    const list = await listed(owner);
    expect(list.find((i) => i.id === created.data.id)).toMatchObject({
      status: 'accepted',
      invitedByEmail: owner.email,
      invitedBy: owner.userId,
    });
    const audit = await cloud.db.query(`SELECT kind, actor_id, data FROM audit_events WHERE data->>'invitationId' = $1 ORDER BY id`, [
      String(created.data.id),
    ]);
    expect(audit.map((a: { kind: string }) => a.kind)).toEqual(['member.invited', 'member.added']);
    expect(audit[1]).toMatchObject({
      actor_id: owner.userId,
      data: { email: address, permissions: ['browser:list', 'task:run'], groupIds: [group] },
    });
  });

  it('works once: used again, and two accepts at once, exactly one succeeds', async () => {
    const { data } = await invite(owner, { email: email() });
    expect((await accept({ token: data.token, password: 'password-one' })).body.code).toBe(0);
    const before = await snapshot(cloud);
    expect((await accept({ token: data.token, password: 'password-two' })).body).toEqual(NOT_VALID);
    expect(await check(data.token)).toEqual(NOT_VALID);
    expect(await snapshot(cloud)).toBe(before);

    const twice = await invite(owner, { email: email() });
    const answers = await Promise.all([1, 2, 3].map((n) => accept({ token: twice.data.token, password: `password-${n}x` })));
    const codes = answers.map((a) => a.body.code).sort();
    expect(codes).toEqual([0, 404, 404]);
    for (const a of answers.filter((x) => x.body.code !== 0)) expect(a.body).toEqual(NOT_VALID);
    const [{ count }] = await cloud.db.query(`SELECT count(*)::int AS count FROM users WHERE email = $1`, [twice.data.email]);
    expect(count).toBe(1);
  });

  it('expires: a link past its time is the same dead link and is listed as expired', async () => {
    const { data } = await invite(owner, { email: email() });
    await cloud.db.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [data.id]);
    const before = await snapshot(cloud);
    expect(await check(data.token)).toEqual(NOT_VALID);
    expect((await accept({ token: data.token, password: 'password-1' })).body).toEqual(NOT_VALID);
    expect(await snapshot(cloud)).toBe(before);
    expect((await listed(owner)).find((i) => i.id === data.id)).toMatchObject({ status: 'expired' });
    expect((await cloud.post('/team/invite/revoke', { id: data.id }, owner.token)).code).toBe(409);
  });

  it('revokes: the link is dead, once; a new invitation for the same email replaces the pending one', async () => {
    const { data } = await invite(owner, { email: email() });
    expect(await cloud.post('/team/invite/revoke', { id: data.id }, owner.token)).toEqual({ code: 0, msg: 'success', data: {} });
    expect((await accept({ token: data.token, password: 'password-1' })).body).toEqual(NOT_VALID);
    expect((await listed(owner)).find((i) => i.id === data.id)).toMatchObject({ status: 'revoked' });
    expect((await cloud.post('/team/invite/revoke', { id: data.id }, owner.token)).code).toBe(409);
    expect((await cloud.post('/team/invite/revoke', { id: 2147483647 }, owner.token)).code).toBe(404);
    // Another team's invitation is unknown there.
    const foreign = await invite(other, { email: email() });
    const before = await snapshot(cloud);
    expect(await cloud.post('/team/invite/revoke', { id: foreign.data.id }, owner.token)).toEqual({
      code: 404,
      msg: `Invitation ${foreign.data.id} not found`,
      data: {},
    });
    expect(await snapshot(cloud)).toBe(before);
    const [kind] = await cloud.db.query(`SELECT kind FROM audit_events WHERE data->>'invitationId' = $1 ORDER BY id DESC LIMIT 1`, [
      String(data.id),
    ]);
    expect(kind.kind).toBe('member.invite_revoked');

    const address = email();
    const first = await invite(owner, { email: address, permissions: ['browser:list'] });
    const second = await invite(owner, { email: address.toUpperCase(), permissions: ['tag:manage'] });
    expect((await accept({ token: first.data.token, password: 'password-1' })).body).toEqual(NOT_VALID);
    expect((await listed(owner)).find((i) => i.id === first.data.id)).toMatchObject({ status: 'revoked' });
    const res = await accept({ token: second.data.token, password: 'password-1' });
    expect(res.body.code).toBe(0);
    expect((await cloud.post('/auth/me', {}, res.body.data.accessToken)).data.permissions).toEqual(['tag:manage']);
  });

  it('grant rules: nobody invites beyond their own rights; an admin does not revoke an invitation for an admin', async () => {
    const mine = await createGroup(cloud, owner);
    const notMine = await createGroup(cloud, owner);
    const scoped = await addMember(cloud, owner, { permissions: ['team:manage', 'browser:list'], scope: 'groups', groupIds: [mine] });
    const admin = await addMember(cloud, owner, { role: 'admin' });
    const refused = async (by: Account, body: Record<string, unknown>, msg: string) => {
      const before = await snapshot(cloud);
      expect(await cloud.post('/team/invite/create', { email: email(), ...body }, by.token)).toEqual({
        code: 403,
        msg: expect.stringContaining(msg),
        data: {},
      });
      expect(await snapshot(cloud)).toBe(before);
    };
    await refused(scoped, { scope: 'all' }, 'scope: you see only your groups');
    await refused(scoped, { scope: 'groups', groupIds: [notMine] }, `groupIds: you cannot grant groups outside your scope: ${notMine}`);
    await refused(scoped, { permissions: ['proxy:manage'] }, 'You cannot grant permissions you do not hold: proxy:manage');
    await refused(scoped, { role: 'admin' }, 'Only an owner can make an admin');
    await refused(admin, { role: 'admin' }, 'Only an owner can make an admin');

    // A limited member's invitation is limited to their groups by default.
    const limited = await invite(scoped, { email: email(), groupIds: [mine], permissions: ['browser:list'] });
    expect(limited.data).toMatchObject({ scope: 'groups', groupIds: [mine] });
    const res = await accept({ token: limited.data.token, password: 'password-1' });
    expect((await cloud.post('/auth/me', {}, res.body.data.accessToken)).data).toMatchObject({ scope: 'groups', groupIds: [mine] });

    const forAdmin = await invite(owner, { email: email(), role: 'admin' });
    const wide = await invite(owner, { email: email() });
    const before = await snapshot(cloud);
    expect((await cloud.post('/team/invite/revoke', { id: forAdmin.data.id }, admin.token)).msg).toBe(
      'Only an owner can revoke an invitation for an admin',
    );
    expect((await cloud.post('/team/invite/revoke', { id: forAdmin.data.id }, scoped.token)).msg).toContain('Only an owner');
    expect((await cloud.post('/team/invite/revoke', { id: wide.data.id }, scoped.token)).msg).toBe(
      `Invitation ${wide.data.id} grants windows outside your groups; only someone who sees them may revoke it`,
    );
    expect(await snapshot(cloud)).toBe(before);
  });

  it("the inviter's rights are checked again at accept: removed, without team:manage, or without what was granted, refused", async () => {
    const refusedAt = async (token: string) => {
      const before = await snapshot(cloud);
      expect((await accept({ token, password: 'password-1' })).body).toEqual({
        code: 403,
        msg: 'This invitation can no longer be accepted: whoever sent it may no longer grant this access; ask the team for a new one',
        data: {},
      });
      expect(await snapshot(cloud)).toBe(before);
    };
    const leaving = await addMember(cloud, owner, { permissions: ['team:manage', 'browser:list'] });
    const byLeaving = await invite(leaving, { email: email(), permissions: ['browser:list'] });
    expect((await cloud.post('/team/member/remove', { userId: leaving.userId }, owner.token)).code).toBe(0);
    await refusedAt(byLeaving.data.token);
    expect((await listed(owner)).find((i) => i.id === byLeaving.data.id)).toMatchObject({ status: 'pending', invitedByEmail: null });

    const demoted = await addMember(cloud, owner, { permissions: ['team:manage', 'browser:list'] });
    const byDemoted = await invite(demoted, { email: email(), permissions: ['browser:list'] });
    await cloud.post('/team/member/update', { userId: demoted.userId, permissions: ['browser:list'] }, owner.token);
    await refusedAt(byDemoted.data.token);

    const narrowed = await addMember(cloud, owner, { permissions: ['team:manage', 'browser:list'] });
    const byNarrowed = await invite(narrowed, { email: email(), permissions: ['browser:list'] });
    await cloud.post('/team/member/update', { userId: narrowed.userId, permissions: ['team:manage'] }, owner.token);
    await refusedAt(byNarrowed.data.token);
    // Given back, the same link works.
    await cloud.post('/team/member/update', { userId: narrowed.userId, permissions: ['team:manage', 'browser:list'] }, owner.token);
    expect((await accept({ token: byNarrowed.data.token, password: 'password-1' })).body.code).toBe(0);
  });

  it('an email with an account is refused, when invited and when accepting; at most 100 pending per team', async () => {
    const before = await snapshot(cloud);
    expect(await cloud.post('/team/invite/create', { email: other.email.toUpperCase() }, owner.token)).toEqual({
      code: 409,
      msg: `${other.email.toUpperCase()} has an account already; an invitation is for someone who has none`,
      data: {},
    });
    expect(await snapshot(cloud)).toBe(before);

    const address = email();
    const { data } = await invite(owner, { email: address });
    expect((await cloud.post('/auth/register', { email: address, password: 'registered-1' })).code).toBe(0);
    const registered = await snapshot(cloud);
    expect((await accept({ token: data.token, password: 'password-1' })).body).toMatchObject({ code: 409 });
    expect(await snapshot(cloud)).toBe(registered);

    const team = await registerOwner(cloud);
    const addresses: string[] = [];
    for (let i = 0; i < 100; i++) {
      addresses.push(email());
      expect((await invite(team, { email: addresses[i] })).code).toBe(0);
    }
    const full = await snapshot(cloud);
    expect(await cloud.post('/team/invite/create', { email: email() }, team.token)).toEqual({
      code: 409,
      msg: 'The team has 100 pending invitations; revoke one first or let them expire',
      data: {},
    });
    expect(await snapshot(cloud)).toBe(full);
    // Replacing a pending one keeps the count.
    expect((await invite(team, { email: addresses[0] })).code).toBe(0);
  });

  it('refuses an accept from another site, and bad input by field, changing nothing', async () => {
    const { data } = await invite(owner, { email: email() });
    const foreignGroup = await createGroup(cloud, other);
    const before = await snapshot(cloud);
    const crossSite = await cloud
      .raw()
      .post('/auth/invite/accept')
      .set('Host', 'cos.example')
      .set('Origin', 'https://evil.example')
      .send({ token: data.token, password: 'password-1' });
    expect(crossSite.body).toEqual({ code: 403, msg: 'Console requests must come from the console, not https://evil.example', data: {} });
    for (const [body, msg] of [
      [{ token: data.token, password: 'short' }, 'password must be 8 to 128 characters'],
      [{ token: data.token }, 'password'],
      [{ token: 'x'.repeat(42), password: 'password-1' }, "token must be an invitation link's token"],
      [{ token: 12, password: 'password-1' }, 'token must be a string'],
      [{ password: 'password-1' }, 'token'],
      [{ token: data.token, password: 'password-1', role: 'owner' }, 'property role should not exist'],
      [{ token: data.token, password: 'password-1', name: 'n'.repeat(101) }, 'name'],
    ] as const) {
      const res = await accept(body);
      expect(res.body).toEqual({ code: 211, msg: expect.stringContaining(msg), data: {} });
    }
    expect(await cloud.post('/auth/invite/check', { token: data.token, email: 'x@example.com' })).toMatchObject({ code: 211 });
    for (const [body, msg] of [
      [{}, 'email'],
      [{ email: 'not an email' }, 'email must be an email address'],
      [{ email: 'a@example.com', role: 'boss' }, 'role must be one of'],
      [{ email: 'a@example.com', permissions: ['fly'] }, 'permissions has an unknown permission: "fly"'],
      [{ email: 'a@example.com', permissions: 'browser:list' }, 'permissions must be an array'],
      [{ email: 'a@example.com', scope: 'some' }, 'scope must be one of'],
      [{ email: 'a@example.com', groupIds: [0] }, 'groupIds'],
      [{ email: 'a@example.com', password: 'password-1' }, 'property password should not exist'],
    ] as const) {
      expect(await cloud.post('/team/invite/create', body, owner.token)).toEqual({
        code: 211,
        msg: expect.stringContaining(msg),
        data: {},
      });
    }
    expect(
      await cloud.post('/team/invite/create', { email: 'a@example.com', scope: 'groups', groupIds: [foreignGroup] }, owner.token),
    ).toEqual({
      code: 211,
      msg: `groupIds: group ${foreignGroup} does not exist in your team`,
      data: {},
    });
    for (const id of [0, -1, 'x', 1.5]) expect((await cloud.post('/team/invite/revoke', { id }, owner.token)).code).toBe(211);
    expect((await cloud.post('/team/invite/list', { all: true }, owner.token)).code).toBe(211);
    expect(await snapshot(cloud)).toBe(before);
    // The link still works after all that.
    expect((await check(data.token)).code).toBe(0);
  });

  it('never shows a token or its hash in a list, the audit trail or the log', async () => {
    expect(tokens.length).toBeGreaterThan(100);
    const hashes: { token_hash: string }[] = await cloud.db.query(`SELECT token_hash FROM invitations`);
    const lists = JSON.stringify([
      await cloud.post('/team/invite/list', {}, owner.token),
      await cloud.post('/team/invite/list', {}, other.token),
    ]);
    const audit = JSON.stringify(await cloud.db.query(`SELECT data FROM audit_events`));
    const auditApi = JSON.stringify(await cloud.post('/audit/list', { pageSize: 100 }, owner.token));
    const log = logged.join('');
    for (const text of [lists, audit, auditApi, log]) {
      for (const token of tokens) expect(text).not.toContain(token);
      for (const { token_hash } of hashes) expect(text).not.toContain(token_hash);
    }
    expect(lists).not.toMatch(/token/i);
  });
});

describe('invitation links are throttled like login', () => {
  let cloud: CloudHarness;
  beforeAll(async () => {
    cloud = await startCloud({ env: { LOGIN_THROTTLE_LIMIT: '3' } });
  });
  afterAll(() => cloud.close());

  it('answers 429 past the login limit, for check and accept alike', async () => {
    const token = 'A'.repeat(43);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await cloud.post('/auth/invite/check', { token })).code);
    expect(codes).toEqual([404, 404, 404, 429]);
    const accepts: number[] = [];
    const fromConsole = () =>
      cloud
        .raw()
        .post('/auth/invite/accept')
        .set('Host', 'cos.example')
        .set('Origin', 'http://cos.example')
        .send({ token, password: 'password-1' });
    for (let i = 0; i < 4; i++) accepts.push((await fromConsole()).body.code);
    expect(accepts.slice(3)).toEqual([429]);
  });
});
