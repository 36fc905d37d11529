import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createGroup, createWindow, registerOwner, snapshot } from '../support/factories';
import { selfSignedCertificate, startHttpProxy, startSilentServer, TestHttpProxy } from '../support/proxies';

const AUTH = { username: 'team-user', password: 'team-secret' };

/** A local IP lookup service answering like ip-api.com. */
async function startLookup(): Promise<{ url: string; hits: number; server: Server; down: boolean }> {
  const state = { url: '', hits: 0, server: null as unknown as Server, down: false };
  state.server = createServer((_req, res) => {
    state.hits += 1;
    if (state.down) {
      res.statusCode = 503;
      return res.end('busy');
    }
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ status: 'success', query: '198.51.100.20', countryCode: 'FR', timezone: 'Europe/Paris' }));
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/json`;
  return state;
}

describe('saved proxies', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let other: Account;
  let upstream: TestHttpProxy;
  let lookup: Awaited<ReturnType<typeof startLookup>>;

  beforeAll(async () => {
    lookup = await startLookup();
    upstream = await startHttpProxy({ auth: AUTH });
    cloud = await startCloud({ env: { IP_CHECK_URL: lookup.url, PROXY_CHECK_TIMEOUT_MS: '3000' } });
    owner = await registerOwner(cloud);
    other = await registerOwner(cloud);
  });
  afterAll(async () => {
    await cloud.close();
    await upstream.close();
    lookup.server.close();
  });

  const add = (by: Account, body: Record<string, unknown>) =>
    cloud.post('/proxy/add', { name: `proxy ${Math.random()}`, ...body }, by.token);

  it('saves, lists, updates and deletes team proxies with the password sealed and masked', async () => {
    const created = await add(owner, {
      name: 'Berlin residential',
      proxyType: 'socks5',
      host: 'gw.example.net',
      port: '1080',
      proxyUserName: 'u',
      proxyPassword: 'p@ss',
      remark: 'DE pool',
    });
    expect(created).toMatchObject({
      code: 0,
      data: {
        name: 'Berlin residential',
        proxyType: 'socks5',
        host: 'gw.example.net',
        port: 1080,
        proxyUserName: 'u',
        proxyPassword: '',
        hasProxyPassword: true,
        remark: 'DE pool',
        windowCount: 0,
        lastCheck: { status: 'unchecked', checkedAt: null },
      },
    });
    const [row] = await cloud.db.query(`SELECT password_enc FROM proxies WHERE id = $1`, [created.data.id]);
    expect(row.password_enc).not.toContain('p@ss');

    const listed = await cloud.post('/proxy/list', { keyword: 'berlin' }, owner.token);
    expect(listed.data).toMatchObject({
      total: 1,
      page: 0,
      pageSize: 10,
      list: [{ id: created.data.id, proxyPassword: '', hasProxyPassword: true }],
    });
    expect((await cloud.post('/proxy/list', { proxyType: 'ssh' }, owner.token)).data.list.map((p: { id: number }) => p.id)).not.toContain(
      created.data.id,
    );
    expect((await cloud.post('/proxy/list', {}, other.token)).data.total).toBe(0);

    const updated = await cloud.post('/proxy/update', { id: created.data.id, port: 1081, proxyPassword: '' }, owner.token);
    expect(updated.data).toMatchObject({ port: 1081, hasProxyPassword: false, name: 'Berlin residential' });
    expect(await cloud.post('/proxy/delete', { id: created.data.id }, owner.token)).toEqual({ code: 0, msg: 'success', data: {} });
    expect((await cloud.post('/proxy/list', { keyword: 'berlin' }, owner.token)).data.total).toBe(0);
  });

  it("refuses bad input, duplicates and other teams' proxies, changing nothing", async () => {
    const mine = await add(owner, { name: 'unique-name', proxyType: 'http', host: 'h.example', port: 8080 });
    const before = await snapshot(cloud);
    const refusals: [string, Record<string, unknown>, number, RegExp][] = [
      ['/proxy/add', { name: 'x', proxyType: 'direct', host: 'h', port: 1 }, 211, /proxyType must be one of http, https, socks5, ssh/],
      ['/proxy/add', { name: 'x', proxyType: 'http', host: 'h', port: 0 }, 211, /port must be an integer from 1 to 65535/],
      ['/proxy/add', { name: 'x', proxyType: 'http', host: 'h', port: 70000 }, 211, /port/],
      ['/proxy/add', { name: 'x', proxyType: 'http', port: 1 }, 211, /host/],
      ['/proxy/add', { name: 'x', proxyType: 'http', host: 'bad host!', port: 1 }, 211, /host must be a host name/],
      ['/proxy/add', { name: '', proxyType: 'http', host: 'h', port: 1 }, 211, /name must be 1 to 100/],
      ['/proxy/add', { name: 'x', proxyType: 'http', host: 'h', port: 1, colour: 'red' }, 211, /colour/],
      ['/proxy/add', { name: 'x', proxyType: 'http', host: 'h', port: 1, proxyUserName: 'u'.repeat(256) }, 211, /proxyUserName/],
      ['/proxy/add', { name: 'unique-name', proxyType: 'http', host: 'h', port: 1 }, 409, /already exists/],
      ['/proxy/update', { id: mine.data.id, port: -1 }, 211, /port/],
      // null is no value: refused by name, never a database error or a password quietly removed
      ['/proxy/update', { id: mine.data.id, host: null }, 211, /^host is required/],
      ['/proxy/update', { id: mine.data.id, port: null }, 211, /^port must be an integer/],
      ['/proxy/update', { id: mine.data.id, name: null }, 211, /^name must be/],
      ['/proxy/update', { id: mine.data.id, proxyType: null }, 211, /^proxyType must be one of/],
      ['/proxy/update', { id: mine.data.id, proxyUserName: null }, 211, /^proxyUserName must be a string/],
      ['/proxy/update', { id: mine.data.id, proxyPassword: null }, 211, /^proxyPassword must be a string/],
      ['/proxy/update', { id: mine.data.id, remark: null }, 211, /^remark must be a string/],
      ['/proxy/add', { name: 'x', proxyType: 'http', host: 'h', port: 1, proxyUserName: 123 }, 211, /^proxyUserName must be a string/],
      // one host rule for every way a proxy is given
      ...['..', ':', '[', '-', 'evil.com:80', '999.999.999.999', '[[::1]]', '0'].map(
        (host): [string, Record<string, unknown>, number, RegExp] => [
          '/proxy/add',
          { name: 'x', proxyType: 'http', host, port: 1 },
          211,
          /^host must be a host name, an IPv4 address or an IPv6 address/,
        ],
      ),
      ['/proxy/update', { id: 'abc', port: 1 }, 211, /id must be a positive integer/],
      ['/proxy/update', { id: 999999, port: 1 }, 404, /Proxy 999999 not found/],
      ['/proxy/delete', { id: 0 }, 211, /id must be a positive integer/],
      ['/proxy/check', { id: mine.data.id, ipCheckService: 'whatismyip' }, 211, /ipCheckService must be one of ip-api, ipinfo/],
    ];
    for (const [path, body, code, msg] of refusals) {
      const res = await cloud.post(path, body, owner.token);
      expect({ path, body, code: res.code }).toEqual({ path, body, code });
      expect(res.msg).toMatch(msg);
    }
    for (const path of ['/proxy/update', '/proxy/delete', '/proxy/check']) {
      expect((await cloud.post(path, { id: mine.data.id }, other.token)).code).toBe(404);
    }
    expect(await snapshot(cloud)).toBe(before);
  });

  it('binds windows with proxyMethod 4 to a proxy of their own team only', async () => {
    const saved = await add(owner, {
      proxyType: 'http',
      host: '127.0.0.1',
      port: upstream.port,
      proxyUserName: AUTH.username,
      proxyPassword: AUTH.password,
    });
    const foreign = await add(other, { proxyType: 'http', host: '127.0.0.1', port: 1 });
    const w = await createWindow(cloud, owner, { proxyMethod: 4, proxyId: saved.data.id });
    expect(w).toMatchObject({ proxyMethod: 4, proxyId: saved.data.id });

    const before = await snapshot(cloud);
    const refusals: [string, Record<string, unknown>, RegExp][] = [
      ['/browser/update', { name: 'x', proxyMethod: 4, proxyId: foreign.data.id }, /not a saved proxy of your team/],
      ['/browser/update', { name: 'x', proxyMethod: 4, proxyId: 999999 }, /not a saved proxy of your team/],
      ['/browser/update', { name: 'x', proxyMethod: 4 }, /proxyMethod 4 needs proxyId/],
      ['/browser/update', { name: 'x', proxyMethod: 2, proxyType: 'direct', proxyId: saved.data.id }, /proxyId needs proxyMethod 4/],
      ['/browser/proxy/update', { ids: [w.id], proxyMethod: 4, proxyId: foreign.data.id }, /not a saved proxy of your team/],
      ['/browser/proxy/update', { ids: [w.id], proxyMethod: 2, proxyType: 'socks5' }, /needs host and port/],
      ['/browser/proxy/update', { ids: [w.id], proxyMethod: 3 }, /proxyMethod 3 needs dynamicIpUrl/],
      [
        '/browser/proxy/update',
        { ids: [w.id], proxyMethod: 2, proxyType: 'http', host: 'h', port: 1, ipCheckService: 'nope' },
        /ipCheckService/,
      ],
    ];
    for (const [path, body, msg] of refusals) {
      const res = await cloud.post(path, body, owner.token);
      expect({ body, code: res.code }).toEqual({ body, code: 211 });
      expect(res.msg).toMatch(msg);
    }
    expect(await snapshot(cloud)).toBe(before);

    // the agent gets the saved proxy, credentials in the clear, as it is now
    await cloud.post('/proxy/update', { id: saved.data.id, port: upstream.port }, owner.token);
    const launch = await cloud.post('/browser/launch', { uuid: w.uuid, deviceId: 'desk' }, owner.token);
    expect(launch.data.proxy).toMatchObject({
      proxyMethod: 4,
      proxyId: saved.data.id,
      proxyType: 'http',
      host: '127.0.0.1',
      port: upstream.port,
      proxyUserName: AUTH.username,
      proxyPassword: AUTH.password,
    });
    await cloud.post('/browser/open-status/update', { uuid: w.uuid, deviceId: 'desk', status: 'closed' }, owner.token);

    // in use (the recycle bin counts): 409 and still there; once no window binds it, it goes
    await cloud.post('/browser/delete', { id: w.id }, owner.token);
    expect(await cloud.post('/proxy/delete', { id: saved.data.id }, owner.token)).toEqual({
      code: 409,
      msg: `Proxy ${saved.data.id} is used by 1 window; bind them to another proxy first`,
      data: {},
    });
    expect(
      (await cloud.post('/proxy/list', { pageSize: 100 }, owner.token)).data.list.find((p: { id: number }) => p.id === saved.data.id),
    ).toMatchObject({ windowCount: 1 });
    await cloud.post('/browser/recycle/restore', { ids: [w.id] }, owner.token);
    await cloud.post('/browser/proxy/update', { ids: [w.id], proxyMethod: 2, proxyType: 'direct' }, owner.token);
    expect((await cloud.post('/browser/detail', { id: w.id }, owner.token)).data).toMatchObject({ proxyMethod: 2, proxyId: null });
    expect((await cloud.post('/proxy/delete', { id: saved.data.id }, owner.token)).code).toBe(0);
  });

  it("a member limited to groups binds only proxies no window outside their groups uses (a launch hands the proxy's password to the opener)", async () => {
    const [mine, theirs] = [
      await createGroup(cloud, owner, `mine ${Math.random()}`),
      await createGroup(cloud, owner, `theirs ${Math.random()}`),
    ];
    const shared = await add(owner, {
      proxyType: 'http',
      host: '127.0.0.1',
      port: upstream.port,
      proxyUserName: 'u',
      proxyPassword: 'theirs-secret',
    });
    const unused = await add(owner, { proxyType: 'http', host: '127.0.0.1', port: upstream.port });
    await createWindow(cloud, owner, { groupId: theirs, proxyMethod: 4, proxyId: shared.data.id });
    const windows = ['browser:list', 'browser:open', 'browser:update:single', 'browser:update:batch', 'proxy:manage'] as const;
    const scoped = await addMember(cloud, owner, { permissions: [...windows], scope: 'groups', groupIds: [mine] });
    const w = await createWindow(cloud, owner, { groupId: mine });

    const before = await snapshot(cloud);
    const refused = {
      code: 403,
      msg: `Proxy ${shared.data.id} is used by windows outside your window scope; a team admin may bind it`,
      data: {},
    };
    expect(await cloud.post('/browser/update', { id: w.id, proxyMethod: 4, proxyId: shared.data.id }, scoped.token)).toEqual(refused);
    expect(await cloud.post('/browser/proxy/update', { ids: [w.id], proxyMethod: 4, proxyId: shared.data.id }, scoped.token)).toEqual(
      refused,
    );
    expect(await snapshot(cloud)).toBe(before);
    expect((await cloud.post('/browser/update', { id: w.id, proxyMethod: 4, proxyId: unused.data.id }, scoped.token)).code).toBe(0);
    // Bound by a team admin, the member's window launches with it.
    expect((await cloud.post('/browser/update', { id: w.id, proxyMethod: 4, proxyId: shared.data.id }, owner.token)).code).toBe(0);
    expect((await cloud.post('/browser/update', { id: w.id, name: 'kept bound', proxyId: shared.data.id }, scoped.token)).code).toBe(0);
  });

  it('binds a saved proxy only for a member with proxy:manage; a window bound by one launches for the others', async () => {
    const saved = await add(owner, {
      proxyType: 'http',
      host: '127.0.0.1',
      port: upstream.port,
      proxyUserName: AUTH.username,
      proxyPassword: AUTH.password,
    });
    const other = await add(owner, { proxyType: 'http', host: '127.0.0.1', port: 1 });
    const windows = ['browser:list', 'browser:open', 'browser:create:single', 'browser:update:single', 'browser:update:batch'] as const;
    const member = await addMember(cloud, owner, { permissions: [...windows] });
    const proxyManager = await addMember(cloud, owner, { permissions: [...windows, 'proxy:manage'] });
    const plain = await createWindow(cloud, owner);
    const bound = await createWindow(cloud, owner, { proxyMethod: 4, proxyId: saved.data.id });

    const before = await snapshot(cloud);
    const refusals: [string, Record<string, unknown>][] = [
      ['/browser/update', { id: plain.id, proxyMethod: 4, proxyId: saved.data.id }],
      ['/browser/update', { id: bound.id, proxyMethod: 4, proxyId: other.data.id }],
      ['/browser/update', { id: bound.id, proxyId: other.data.id }],
      ['/browser/update', { name: 'new', proxyMethod: 4, proxyId: saved.data.id }],
      ['/browser/proxy/update', { ids: [plain.id], proxyMethod: 4, proxyId: saved.data.id }],
      ['/browser/proxy/update', { ids: [plain.id, bound.id], proxyMethod: 4, proxyId: saved.data.id }],
      // Unknown or another team's: refused for the permission first, so a guess learns nothing.
      ['/browser/update', { id: plain.id, proxyMethod: 4, proxyId: 999999 }],
    ];
    for (const [path, body] of refusals) {
      expect({ body, answer: await cloud.post(path, body, member.token) }).toEqual({
        body,
        answer: { code: 403, msg: 'Permission denied: proxy:manage required to bind a saved proxy (proxyMethod 4)', data: {} },
      });
    }
    expect(await snapshot(cloud)).toBe(before);

    // A window someone allowed bound: the member edits it, sends its binding back unchanged, unbinds it, and launches it.
    expect(
      (await cloud.post('/browser/update', { id: bound.id, name: 'renamed', proxyMethod: 4, proxyId: saved.data.id }, member.token)).code,
    ).toBe(0);
    const launch = await cloud.post('/browser/launch', { uuid: bound.uuid, deviceId: 'desk' }, member.token);
    expect(launch.data.proxy).toMatchObject({ proxyMethod: 4, proxyId: saved.data.id, proxyPassword: AUTH.password });
    await cloud.post('/browser/open-status/update', { uuid: bound.uuid, deviceId: 'desk', status: 'closed' }, member.token);
    expect((await cloud.post('/browser/proxy/update', { ids: [bound.id], proxyMethod: 2, proxyType: 'direct' }, member.token)).code).toBe(
      0,
    );

    // proxy:manage binds.
    expect((await cloud.post('/browser/update', { id: plain.id, proxyMethod: 4, proxyId: saved.data.id }, proxyManager.token)).code).toBe(
      0,
    );
    expect(
      (await cloud.post('/browser/proxy/update', { ids: [bound.id], proxyMethod: 4, proxyId: other.data.id }, proxyManager.token)).code,
    ).toBe(0);
    expect(
      (await cloud.post('/browser/update', { name: 'bound at birth', proxyMethod: 4, proxyId: saved.data.id }, proxyManager.token)).code,
    ).toBe(0);
  });

  it('checks a proxy from the cloud through the proxy itself and remembers the answer', async () => {
    const good = await add(owner, {
      proxyType: 'http',
      host: '127.0.0.1',
      port: upstream.port,
      proxyUserName: AUTH.username,
      proxyPassword: AUTH.password,
    });
    const seenBefore = upstream.seen.length;
    const hitsBefore = lookup.hits;
    const checked = await cloud.post('/proxy/check', { id: good.data.id }, owner.token);
    expect(checked).toMatchObject({
      code: 0,
      data: { id: good.data.id, ok: true, ip: '198.51.100.20', country: 'FR', timezone: 'Europe/Paris', latencyMs: expect.any(Number) },
    });
    expect(lookup.hits).toBe(hitsBefore + 1);
    // the lookup went through the proxy, with the saved credentials
    expect(upstream.seen.slice(seenBefore).some((s) => s.url === lookup.url && s.username === AUTH.username)).toBe(true);
    expect((await cloud.post('/proxy/list', { keyword: good.data.name }, owner.token)).data.list[0].lastCheck).toMatchObject({
      status: 'ok',
      ip: '198.51.100.20',
      country: 'FR',
      timezone: 'Europe/Paris',
    });

    const badPassword = await add(owner, {
      proxyType: 'http',
      host: '127.0.0.1',
      port: upstream.port,
      proxyUserName: AUTH.username,
      proxyPassword: 'wrong',
    });
    expect((await cloud.post('/proxy/check', { id: badPassword.data.id }, owner.token)).data).toMatchObject({
      ok: false,
      reason: 'auth',
      message: expect.stringContaining('rejected the username or password'),
    });
    const closedPort = await add(owner, { proxyType: 'socks5', host: '127.0.0.1', port: 1, proxyUserName: 'u', proxyPassword: 'p' });
    expect((await cloud.post('/proxy/check', { id: closedPort.data.id }, owner.token)).data).toMatchObject({
      ok: false,
      reason: 'refused',
    });
    expect((await cloud.post('/proxy/list', { keyword: closedPort.data.name }, owner.token)).data.list[0].lastCheck).toMatchObject({
      status: 'failed',
      message: expect.stringContaining('refused'),
    });
    // The proxy carries traffic but the lookup service fails: said as such, not as a proxy that could not be reached.
    lookup.down = true;
    try {
      expect((await cloud.post('/proxy/check', { id: good.data.id }, owner.token)).data).toMatchObject({
        ok: false,
        reason: 'lookup',
        message: `Proxy http://127.0.0.1:${upstream.port} carries traffic, but the IP lookup through it failed (lookup answered HTTP 503)`,
      });
    } finally {
      lookup.down = false;
    }
    // TLS to an https proxy is verified: a self-signed certificate nobody configured is refused by name
    const tlsProxy = await startHttpProxy({ auth: AUTH, tls: selfSignedCertificate() });
    try {
      const untrusted = await add(owner, {
        proxyType: 'https',
        host: '127.0.0.1',
        port: tlsProxy.port,
        proxyUserName: AUTH.username,
        proxyPassword: AUTH.password,
      });
      expect((await cloud.post('/proxy/check', { id: untrusted.data.id }, owner.token)).data).toMatchObject({
        ok: false,
        reason: 'tls',
        message: expect.stringContaining('TLS certificate'),
      });
      expect(tlsProxy.seen).toEqual([]);
    } finally {
      await tlsProxy.close();
    }
    // a changed address forgets the last check
    await cloud.post('/proxy/update', { id: good.data.id, port: 1 }, owner.token);
    expect((await cloud.post('/proxy/list', { keyword: good.data.name }, owner.token)).data.list[0].lastCheck).toMatchObject({
      status: 'unchecked',
      ip: '',
    });
  });

  it('a check that ends after an edit or a delete of its proxy keeps the edit and brings nothing back', async () => {
    const silent = await startSilentServer();
    try {
      const listed = async (id: number) =>
        ((await cloud.post('/proxy/list', { pageSize: 100 }, owner.token)).data.list as { id: number }[]).find((p) => p.id === id);
      /** Starts a check of `id`; resolves, with the check's answer still to come, once the check is connected to the silent proxy (and so has read the proxy). */
      const checking = async (id: number) => {
        const before = silent.connections();
        const answer = cloud.post('/proxy/check', { id }, owner.token);
        for (let i = 0; i < 200 && silent.connections() === before; i++) await new Promise((r) => setTimeout(r, 10));
        expect(silent.connections()).toBe(before + 1);
        return { answer };
      };
      const stalled = { proxyType: 'http', host: '127.0.0.1', port: silent.port, proxyUserName: 'old-user', proxyPassword: 'old-secret' };

      // A password changed while a check runs stays changed.
      const edited = await add(owner, { ...stalled, name: 'checked while edited' });
      const { answer: check } = await checking(edited.data.id);
      const update = { id: edited.data.id, name: 'edited meanwhile', proxyUserName: 'new-user', proxyPassword: 'new-secret' };
      expect((await cloud.post('/proxy/update', update, owner.token)).code).toBe(0);
      expect((await check).data).toMatchObject({ ok: false, reason: 'timeout' });
      expect(await listed(edited.data.id)).toMatchObject({
        name: 'edited meanwhile',
        proxyUserName: 'new-user',
        hasProxyPassword: true,
        lastCheck: { status: 'unchecked' },
      });
      const sealed = async () => (await cloud.db.query(`SELECT password_enc FROM proxies WHERE id = $1`, [edited.data.id]))[0].password_enc;
      const afterEdit = await sealed();
      expect(afterEdit).not.toBeNull();

      // A proxy deleted while a check runs stays deleted.
      const deleted = await add(owner, { ...stalled, name: 'checked while deleted' });
      const { answer: second } = await checking(deleted.data.id);
      expect((await cloud.post('/proxy/delete', { id: deleted.data.id }, owner.token)).code).toBe(0);
      expect((await second).data).toMatchObject({ ok: false });
      expect(await listed(deleted.data.id)).toBeUndefined();
      expect(await cloud.db.query(`SELECT id FROM proxies WHERE name = 'checked while deleted'`)).toEqual([]);

      // A check of the proxy as it is now is remembered.
      expect((await cloud.post('/proxy/check', { id: edited.data.id }, owner.token)).data).toMatchObject({ ok: false });
      expect(await listed(edited.data.id)).toMatchObject({ name: 'edited meanwhile', lastCheck: { status: 'failed' } });
      expect(await sealed()).toBe(afterEdit);
    } finally {
      await silent.close();
    }
  });

  it('lets a member with proxy:manage manage proxies, and no one else', async () => {
    const manager = await addMember(cloud, owner, { permissions: ['proxy:manage'] });
    const lister = await addMember(cloud, owner, { permissions: ['browser:list'] });
    expect((await add(manager, { proxyType: 'ssh', host: 'bastion.example', port: 22, proxyUserName: 'ops' })).code).toBe(0);
    expect(await add(lister, { proxyType: 'http', host: 'h', port: 1 })).toEqual({
      code: 403,
      msg: expect.stringContaining('proxy:manage'),
      data: {},
    });
  });
});
