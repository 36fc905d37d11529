import { randomUUID } from 'node:crypto';
import { ALL_PERMISSIONS, Permission } from '@cos/contracts';
import { CloudHarness, Envelope, startCloud } from '../support/cloud-app';
import { Account, addMember, createGroup, createTag, createWindow, registerOwner, snapshot } from '../support/factories';

type Caller =
  'owner' | 'admin' | 'memberWith' | 'memberWithout' | 'memberOutOfScope' | 'otherTeam' | 'noToken' | 'badToken' | 'expiredToken';
const CALLERS: Caller[] = [
  'owner',
  'admin',
  'memberWith',
  'memberWithout',
  'memberOutOfScope',
  'otherTeam',
  'noToken',
  'badToken',
  'expiredToken',
];

interface Fixture {
  w1: { id: number; uuid: string };
  w2: { id: number; uuid: string };
  group: number;
  tag: number;
  memberId: number;
  proxy: number;
  /** A task of the owner's team at version 2 (version 1 kept). */
  task: number;
  /** A webhook of the owner's team. */
  webhook: number;
  /** A pending invitation of the owner's team, for a member who sees every window. */
  invitation: number;
}

interface Case {
  path: string;
  label?: string;
  permission: Permission | null;
  body: (f: Fixture) => Record<string, unknown>;
  /** Windows start in the recycle bin. */
  recycled?: boolean;
  /** w1 (outside the limited member's scope) starts bound to the fixture's proxy and tagged with its tag. */
  inUse?: boolean;
  /** Answers that differ from the default per caller. */
  expect?: Partial<Record<Caller, number>>;
  /** Run with the caller's token before the call (and before the snapshot), e.g. a launch its close needs. */
  setup?: (f: Fixture, post: (path: string, body: object) => Promise<Envelope>) => Promise<unknown>;
  /** For list endpoints: whether the fixture window must be in the answer. */
  listed?: (data: { list: { id: number }[] }, f: Fixture) => boolean;
}

const single = (path: string, permission: Permission, body: (f: Fixture) => Record<string, unknown>, extra: Partial<Case> = {}): Case => ({
  path,
  permission,
  body,
  ...extra,
});
// Outside a member's scope, reads behave as not found and writes as forbidden; another team sees nothing.
const READ = { memberOutOfScope: 404, otherTeam: 404 };
const WRITE = { memberOutOfScope: 403, otherTeam: 404 };
// One window named by uuid or id: outside the scope it is not found, as a binned or unknown one is.
const ONE = READ;
const LISTED = (data: { list: { id: number }[] }, f: Fixture) => data.list.some((w) => w.id === f.w1.id);

const CASES: Case[] = [
  single('/browser/update', 'browser:create:single', (f) => ({ name: 'new', groupId: f.group }), {
    label: 'create',
    expect: { memberOutOfScope: 403, otherTeam: 211 },
  }),
  single('/browser/update', 'browser:update:single', (f) => ({ id: f.w1.id, name: 'edited' }), { label: 'edit', expect: ONE }),
  // Binding a saved proxy hands its password to whoever launches the window: it takes proxy:manage
  // beside the route's own permission (which the member holding only proxy:manage lacks).
  single('/browser/update', 'proxy:manage', (f) => ({ name: 'new', groupId: f.group, proxyMethod: 4, proxyId: f.proxy }), {
    label: 'create bound to a saved proxy',
    expect: { memberWith: 403, memberOutOfScope: 403, otherTeam: 211 },
  }),
  single('/browser/update', 'proxy:manage', (f) => ({ id: f.w1.id, proxyMethod: 4, proxyId: f.proxy }), {
    label: 'bind a saved proxy',
    expect: { memberWith: 403, memberOutOfScope: 403, otherTeam: 404 },
  }),
  single('/browser/update/partial', 'browser:update:single', (f) => ({ ids: [f.w1.id], remark: 'x' }), { label: 'one id', expect: WRITE }),
  single('/browser/update/partial', 'browser:update:batch', (f) => ({ ids: [f.w1.id, f.w2.id], remark: 'x' }), {
    label: 'two ids',
    expect: WRITE,
  }),
  // A draw touches no window: every team member holding the permission may ask, whatever their scope.
  single('/browser/fingerprint/random', 'browser:create:single', () => ({ os: 'windows', locale: 'de-DE' })),
  single('/browser/detail', 'browser:list', (f) => ({ uuid: f.w1.uuid }), { expect: READ }),
  single('/browser/list', 'browser:list', () => ({ pageSize: 100 }), { listed: LISTED }),
  single('/browser/delete', 'browser:delete:recycle', (f) => ({ id: f.w1.id }), { expect: ONE }),
  single('/browser/delete/ids', 'browser:delete:recycle', (f) => ({ ids: [f.w1.id, f.w2.id] }), { expect: WRITE }),
  single('/browser/group/update', 'browser:update:single', (f) => ({ ids: [f.w1.id], groupId: 0 }), { label: 'one id', expect: WRITE }),
  single('/browser/group/update', 'browser:update:batch', (f) => ({ ids: [f.w1.id, f.w2.id], groupId: 0 }), {
    label: 'two ids',
    expect: WRITE,
  }),
  single('/browser/remark/update', 'browser:update:single', (f) => ({ ids: [f.w1.id], remark: 'r' }), { label: 'one id', expect: WRITE }),
  single('/browser/remark/update', 'browser:update:batch', (f) => ({ ids: [f.w1.id, f.w2.id], remark: 'r' }), {
    label: 'two ids',
    expect: WRITE,
  }),
  single(
    '/browser/proxy/update',
    'browser:update:single',
    (f) => ({ ids: [f.w1.id], proxyMethod: 2, proxyType: 'http', host: 'h', port: 1 }),
    { label: 'one id', expect: WRITE },
  ),
  single('/browser/proxy/update', 'browser:update:batch', (f) => ({ ids: [f.w1.id, f.w2.id], proxyMethod: 2, proxyType: 'direct' }), {
    label: 'two ids',
    expect: WRITE,
  }),
  single('/browser/proxy/update', 'proxy:manage', (f) => ({ ids: [f.w1.id], proxyMethod: 4, proxyId: f.proxy }), {
    label: 'bind a saved proxy',
    expect: { memberWith: 403, memberOutOfScope: 403, otherTeam: 404 },
  }),
  single('/browser/recycle/list', 'browser:list', () => ({ pageSize: 100 }), { recycled: true, listed: LISTED }),
  single('/browser/recycle/restore', 'browser:recycle:restore', (f) => ({ ids: [f.w1.id] }), { recycled: true, expect: WRITE }),
  single('/browser/recycle/delete', 'browser:delete:permanent', (f) => ({ ids: [f.w1.id] }), { recycled: true, expect: WRITE }),
  single('/browser/recycle/clear', 'browser:delete:permanent', () => ({}), { recycled: true }),
  single('/browser/launch', 'browser:open', (f) => ({ uuid: f.w1.uuid, deviceId: 'desk' }), { expect: ONE }),
  single('/browser/open-status/update', 'browser:open', (f) => ({ uuid: f.w1.uuid, deviceId: 'desk', status: 'opened' }), {
    expect: ONE,
  }),
  single('/browser/close', 'browser:open', (f) => ({ uuid: f.w1.uuid, deviceId: 'desk', cookies: [] }), {
    label: 'launched by the caller',
    expect: ONE,
    setup: (f, post) => post('/browser/launch', { uuid: f.w1.uuid }),
  }),
  // Only the device a window was launched on records its close: one never launched is nobody's.
  single('/browser/close', 'browser:open', (f) => ({ uuid: f.w1.uuid, cookies: [] }), {
    label: 'not launched',
    expect: { ...ONE, owner: 409, admin: 409, memberWith: 409 },
  }),
  // No device of the fixture's is on a line: whoever may ask is told the device is not theirs to see
  // (the device tests cover owners, managers and other members' devices).
  single('/browser/open', 'browser:open', (f) => ({ uuid: f.w1.uuid, device: 'dev-unknown' }), {
    expect: { owner: 404, admin: 404, memberWith: 404, memberOutOfScope: 404, otherTeam: 404 },
  }),
  single('/browser/close', 'browser:open', (f) => ({ uuid: f.w1.uuid, device: 'dev-unknown' }), {
    label: 'on a device',
    expect: { owner: 404, admin: 404, memberWith: 404, memberOutOfScope: 404, otherTeam: 404 },
  }),
  { path: '/device/list', permission: null, body: () => ({}) },
  {
    path: '/device/line/poll',
    permission: null,
    body: () => ({
      line: '11111111-2222-4333-8444-555555555555',
      hello: {
        version: '1',
        hostname: 'desk',
        platform: 'linux',
        capacity: { windowsRunning: 0, freeMemoryBytes: 1, totalMemoryBytes: 1 },
      },
      waitMs: 0,
    }),
  },
  {
    path: '/device/line/answer',
    permission: null,
    body: () => ({
      line: '11111111-2222-4333-8444-555555555555',
      answer: { commandId: '11111111-2222-4333-8444-555555555555', code: 0, msg: 'ok', data: {} },
    }),
  },
  single('/browser/cookies/export', 'browser:open', (f) => ({ uuid: f.w1.uuid }), { expect: READ }),
  single(
    '/browser/cookies/import',
    'browser:update:single',
    (f) => ({
      uuid: f.w1.uuid,
      cookies: [{ name: 'k', value: 'v', domain: 'a.test', path: '/', secure: false, httpOnly: false, sameSite: 'lax' }],
    }),
    { expect: ONE },
  ),
  single('/browser/profile/blobs/missing', 'browser:open', (f) => ({ uuid: f.w1.uuid, sha256s: ['a'.repeat(64)] }), { expect: ONE }),
  single(
    '/browser/profile/commit',
    'browser:open',
    (f) => ({ uuid: f.w1.uuid, deviceId: 'desk', commitId: randomUUID(), baseVersion: null, sync: {}, files: [] }),
    { expect: ONE },
  ),
  single('/browser/profile/versions', 'browser:list', (f) => ({ uuid: f.w1.uuid }), { expect: READ }),
  // The fixture's windows have no profile version yet: whoever may ask is told so.
  single('/browser/profile/manifest', 'browser:open', (f) => ({ uuid: f.w1.uuid }), {
    expect: { owner: 404, admin: 404, memberWith: 404, memberOutOfScope: 404, otherTeam: 404 },
  }),
  single('/browser/profile/restore', 'browser:update:single', (f) => ({ uuid: f.w1.uuid, version: 1 }), {
    expect: { owner: 404, admin: 404, memberWith: 404, memberOutOfScope: 404, otherTeam: 404 },
  }),
  single('/browser/profile/usage', 'team:manage', () => ({})),
  single('/group/add', 'group:manage', () => ({ name: `g${Math.random()}` })),
  // The fixture's group is outside the limited member's scope: not theirs to rename or delete.
  single('/group/update', 'group:manage', (f) => ({ id: f.group, name: `g${Math.random()}` }), { expect: READ }),
  single('/group/delete', 'group:manage', (f) => ({ id: f.group }), { expect: READ }),
  { path: '/group/list', permission: null, body: () => ({}) },
  single('/tag/add', 'tag:manage', () => ({ name: `t${Math.random()}`.slice(0, 20) })),
  single('/tag/update', 'tag:manage', (f) => ({ id: f.tag, color: '#abcdef' }), { expect: { otherTeam: 404 } }),
  single('/tag/delete', 'tag:manage', (f) => ({ id: f.tag }), { expect: { otherTeam: 404 } }),
  // On a window outside the limited member's scope: not theirs to change (it would change that window).
  single('/tag/update', 'tag:manage', (f) => ({ id: f.tag, color: '#abcdef' }), {
    label: 'on a window',
    inUse: true,
    expect: { memberOutOfScope: 403, otherTeam: 404 },
  }),
  single('/tag/delete', 'tag:manage', (f) => ({ id: f.tag }), {
    label: 'on a window',
    inUse: true,
    expect: { memberOutOfScope: 403, otherTeam: 404 },
  }),
  { path: '/tag/list', permission: null, body: () => ({}) },
  single('/proxy/add', 'proxy:manage', () => ({ name: `p${Math.random()}`, proxyType: 'http', host: '127.0.0.1', port: 3128 })),
  single('/proxy/list', 'proxy:manage', () => ({})),
  single('/proxy/update', 'proxy:manage', (f) => ({ id: f.proxy, remark: 'r' }), { expect: { otherTeam: 404 } }),
  single('/proxy/check', 'proxy:manage', (f) => ({ id: f.proxy }), { expect: { otherTeam: 404 } }),
  single('/proxy/delete', 'proxy:manage', (f) => ({ id: f.proxy }), { expect: { otherTeam: 404 } }),
  // Bound by a window outside the limited member's scope: changing it would move that window's traffic.
  single('/proxy/update', 'proxy:manage', (f) => ({ id: f.proxy, remark: 'r' }), {
    label: 'used by a window',
    inUse: true,
    expect: { memberOutOfScope: 403, otherTeam: 404 },
  }),
  single('/proxy/delete', 'proxy:manage', (f) => ({ id: f.proxy }), {
    label: 'used by a window',
    inUse: true,
    expect: { owner: 409, admin: 409, memberWith: 409, memberOutOfScope: 403, otherTeam: 404 },
  }),
  single('/team/member/list', 'team:manage', () => ({})),
  // A member limited to groups adds members limited to them (the default) and nobody wider.
  single('/team/member/add', 'team:manage', () => ({
    email: `m${Date.now()}${Math.random().toString(36).slice(2)}@example.com`,
    password: 'password-1',
  })),
  single(
    '/team/member/add',
    'team:manage',
    () => ({ email: `m${Date.now()}${Math.random().toString(36).slice(2)}@example.com`, password: 'password-1', scope: 'all' }),
    { label: 'scope all', expect: { memberOutOfScope: 403 } },
  ),
  // The fixture's member sees every window: a limited member may neither change nor remove them.
  single('/team/member/update', 'team:manage', (f) => ({ userId: f.memberId, permissions: [], scope: 'all' }), { expect: WRITE }),
  single('/team/member/remove', 'team:manage', (f) => ({ userId: f.memberId }), { expect: WRITE }),
  single('/team/permission/list', 'team:manage', () => ({})),
  // Invitations follow member/add and member/remove: the limited member invites within their groups
  // and revokes no invitation for someone who would see more.
  single('/team/invite/create', 'team:manage', () => ({ email: `i${Date.now()}${Math.random().toString(36).slice(2)}@example.com` })),
  single(
    '/team/invite/create',
    'team:manage',
    () => ({ email: `i${Date.now()}${Math.random().toString(36).slice(2)}@example.com`, scope: 'all' }),
    { label: 'scope all', expect: { memberOutOfScope: 403 } },
  ),
  single('/team/invite/list', 'team:manage', () => ({})),
  single('/team/invite/revoke', 'team:manage', (f) => ({ id: f.invitation }), { expect: WRITE }),
  single('/audit/list', 'team:manage', (f) => ({ windowId: f.w1.id })),
  { path: '/auth/me', permission: null, body: () => ({}) },
  { path: '/auth/token/list', permission: null, body: () => ({}) },
  { path: '/task/list', permission: null, body: () => ({}) },
  { path: '/task/detail', permission: null, body: (f) => ({ id: f.task }), expect: { otherTeam: 404 } },
  { path: '/task/versions', permission: null, body: (f) => ({ id: f.task }), expect: { otherTeam: 404 } },
  single('/task/create', 'task:manage', () => ({ name: `t${Math.random()}`, steps: [{ type: 'wait', ms: 1 }] })),
  single('/task/update', 'task:manage', (f) => ({ id: f.task, description: 'changed' }), { expect: { otherTeam: 404 } }),
  single('/task/restore', 'task:manage', (f) => ({ id: f.task, version: 1 }), { expect: { otherTeam: 404 } }),
  single('/task/delete', 'task:manage', (f) => ({ id: f.task }), { expect: { otherTeam: 404 } }),
  // Starting a run also takes browser:open (the member with only task:run lacks it); the fixture
  // has no device on a line, so whoever may start one is told the device is not theirs to see.
  single('/run/start', 'task:run', (f) => ({ taskId: f.task, windowIds: [f.w1.id], devices: ['dev-unknown'] }), {
    expect: { owner: 404, admin: 404, memberWith: 403, memberOutOfScope: 403, otherTeam: 404 },
  }),
  { path: '/run/list', permission: null, body: () => ({}) },
  // Runs with devices on a line, and who may see, cancel and retry them, are in the run tests.
  {
    path: '/run/detail',
    permission: null,
    body: () => ({ id: randomUUID() }),
    expect: { owner: 404, admin: 404, memberWith: 404, memberWithout: 404, memberOutOfScope: 404, otherTeam: 404 },
  },
  single('/run/cancel', 'task:run', () => ({ id: randomUUID() }), {
    expect: { owner: 404, admin: 404, memberWith: 404, memberOutOfScope: 404, otherTeam: 404 },
  }),
  single('/run/retry', 'task:run', () => ({ id: randomUUID() }), {
    expect: { owner: 404, admin: 404, memberWith: 404, memberOutOfScope: 404, otherTeam: 404 },
  }),
  single(
    '/schedule/set',
    'task:run',
    (f) => ({ taskId: f.task, windowIds: [f.w1.id], devices: ['dev-unknown'], cron: '0 * * * *', timezone: 'UTC' }),
    {
      expect: { owner: 404, admin: 404, memberWith: 403, memberOutOfScope: 403, otherTeam: 404 },
    },
  ),
  { path: '/schedule/list', permission: null, body: () => ({}) },
  single('/schedule/delete', 'task:run', () => ({ id: 2147483647 }), {
    expect: { owner: 404, admin: 404, memberWith: 404, memberOutOfScope: 404, otherTeam: 404 },
  }),
  single('/webhook/create', 'webhook:manage', () => ({ url: 'https://hooks.example.com/new' })),
  single('/webhook/list', 'webhook:manage', () => ({})),
  single('/webhook/update', 'webhook:manage', (f) => ({ id: f.webhook, enabled: false }), { expect: { otherTeam: 404 } }),
  single('/webhook/rotate', 'webhook:manage', (f) => ({ id: f.webhook }), { expect: { otherTeam: 404 } }),
  single('/webhook/deliveries', 'webhook:manage', (f) => ({ id: f.webhook }), { expect: { otherTeam: 404 } }),
  single('/webhook/delete', 'webhook:manage', (f) => ({ id: f.webhook }), { expect: { otherTeam: 404 } }),
  single('/webhook/settings', 'team:manage', () => ({ allowPrivateAddresses: false })),
  // An import answers each row: a limited member's row without one of their groups fails, the call does not.
  single('/browser/import', 'browser:create:single', () => ({ rows: [{ name: 'imported' }] })),
  single('/proxy/import', 'proxy:manage', () => ({
    text: `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.1:8080`,
  })),
  // The team's values fill every window: a member limited to groups sets only their windows' own.
  single('/variable/set', 'variable:manage', () => ({ name: 'v', value: 'x' }), { expect: { memberOutOfScope: 403 } }),
  // A window's own values belong to the window: outside the limited member's scope it is not there.
  single('/variable/set', 'variable:manage', (f) => ({ windowId: f.w1.id, name: 'v', value: 'x', secret: true }), {
    label: 'on a window',
    expect: READ,
  }),
  single('/variable/delete', 'variable:manage', () => ({ name: 'not_set' }), {
    expect: { owner: 404, admin: 404, memberWith: 404, memberOutOfScope: 403, otherTeam: 404 },
  }),
  { path: '/variable/list', permission: null, body: () => ({}) },
  { path: '/variable/list', permission: null, label: 'of a window', body: (f) => ({ windowId: f.w1.id }), expect: READ },
];

function expectedCode(c: Case, caller: Caller): number {
  if (caller === 'noToken' || caller === 'badToken' || caller === 'expiredToken') return 401;
  if (c.permission && caller === 'memberWithout') return 403;
  return c.expect?.[caller] ?? 0;
}

describe('permission matrix', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let other: Account;
  let scopeGroup: number;
  const tokens = {} as Record<Caller, string | undefined>;
  const members = {} as Record<string, Account>;

  async function memberFor(kind: 'with' | 'without' | 'scope', permission: Permission | null): Promise<Account> {
    const key = `${kind}:${permission}`;
    if (!members[key]) {
      const permissions = kind === 'without' ? ALL_PERMISSIONS.filter((p) => p !== permission) : permission ? [permission] : [];
      members[key] = await addMember(
        cloud,
        owner,
        kind === 'scope' ? { permissions, scope: 'groups', groupIds: [scopeGroup] } : { permissions },
      );
    }
    return members[key];
  }

  beforeAll(async () => {
    cloud = await startCloud();
    owner = await registerOwner(cloud);
    other = await registerOwner(cloud);
    scopeGroup = await createGroup(cloud, owner, "the member's group");
    tokens.owner = owner.token;
    tokens.admin = (await addMember(cloud, owner, { role: 'admin' })).token;
    tokens.otherTeam = other.token;
    tokens.noToken = undefined;
    tokens.badToken = 'not-a-token';
    tokens.expiredToken = cloud.signToken(
      { sub: owner.userId, sid: '00000000-0000-0000-0000-000000000000', tid: owner.teamId },
      { expiresIn: -10 },
    );
  });
  afterAll(() => cloud.close());

  async function fixture(c: Case): Promise<Fixture> {
    const group = await createGroup(cloud, owner);
    const w1 = await createWindow(cloud, owner, { groupId: group });
    const w2 = await createWindow(cloud, owner, { groupId: group });
    if (c.recycled) await cloud.post('/browser/delete/ids', { ids: [w1.id, w2.id] }, owner.token);
    const tag = await createTag(cloud, owner);
    const member = await cloud.post(
      '/team/member/add',
      { email: `t${Date.now()}${Math.random().toString(36).slice(2)}@example.com`, password: 'password-1' },
      owner.token,
    );
    // a saved proxy on a closed port: a check answers at once
    const proxy = await cloud.post('/proxy/add', { name: `p${Math.random()}`, proxyType: 'http', host: '127.0.0.1', port: 1 }, owner.token);
    if (c.inUse) await cloud.post('/browser/update', { id: w1.id, proxyMethod: 4, proxyId: proxy.data.id, tagIds: [tag] }, owner.token);
    const task = await cloud.post('/task/create', { name: `t${Math.random()}`, steps: [{ type: 'wait', ms: 1 }] }, owner.token);
    await cloud.post('/task/update', { id: task.data.id, steps: [{ type: 'wait', ms: 2 }] }, owner.token);
    // A team keeps at most 20 webhooks: each fixture's is the team's only one.
    await cloud.db.query(`DELETE FROM webhooks WHERE team_id = $1`, [owner.teamId]);
    const webhook = await cloud.post('/webhook/create', { url: 'https://hooks.example.com/cos' }, owner.token);
    // A team keeps at most 100 pending invitations: each fixture's is the team's only one.
    await cloud.db.query(`DELETE FROM invitations WHERE team_id = $1`, [owner.teamId]);
    const invitation = await cloud.post(
      '/team/invite/create',
      { email: `i${Date.now()}${Math.random().toString(36).slice(2)}@example.com` },
      owner.token,
    );
    return {
      w1,
      w2,
      group,
      tag,
      memberId: member.data.id,
      proxy: proxy.data.id,
      task: task.data.id,
      webhook: webhook.data.id,
      invitation: invitation.data.id,
    };
  }

  for (const c of CASES) {
    describe(`${c.path}${c.label ? ` (${c.label})` : ''}`, () => {
      // A refused call is asserted to change nothing, so the next caller can take its fixture as it is.
      let unchanged: Fixture | null = null;
      it.each(CALLERS)('%s', async (caller) => {
        const f = unchanged ?? (await fixture(c));
        unchanged = null;
        const token =
          caller === 'memberWith'
            ? (await memberFor('with', c.permission)).token
            : caller === 'memberWithout'
              ? (await memberFor('without', c.permission)).token
              : caller === 'memberOutOfScope'
                ? (await memberFor('scope', c.permission)).token
                : tokens[caller];
        await c.setup?.(f, (path, body) => cloud.post(path, body, token));
        const before = await snapshot(cloud);
        const res: Envelope = await cloud.post(c.path, c.body(f), token);
        const expected = expectedCode(c, caller);
        expect({ code: res.code, msg: res.msg }).toEqual({ code: expected, msg: expected === 0 ? 'success' : expect.any(String) });
        if (expected !== 0) {
          expect(res.data).toEqual({});
          expect(await snapshot(cloud)).toBe(before);
          if (expected === 403 && caller === 'memberWithout') expect(res.msg).toContain(c.permission);
          if (!c.setup) unchanged = f;
        }
        if (c.listed && expected === 0) {
          const visible = caller !== 'otherTeam' && caller !== 'memberOutOfScope';
          expect(c.listed(res.data, f)).toBe(visible);
        }
        if (c.path === '/browser/recycle/clear' && (caller === 'otherTeam' || caller === 'memberOutOfScope')) {
          expect(await snapshot(cloud)).toBe(before);
        }
      });
    });
  }
});

describe('API tokens as callers of /auth/token/create', () => {
  let cloud: CloudHarness;
  let owner: Account;
  beforeAll(async () => {
    cloud = await startCloud();
    owner = await registerOwner(cloud);
  });
  afterAll(() => cloud.close());

  it('a token without the right is refused and nothing changes; one with it creates', async () => {
    const plain = (await cloud.post('/auth/token/create', { name: 'plain' }, owner.token)).data;
    const minting = (await cloud.post('/auth/token/create', { name: 'minting', mayCreateTokens: true }, owner.token)).data;
    // A token's first call records when it was used: make it before the snapshot.
    expect((await cloud.post('/auth/me', {}, plain.token)).code).toBe(0);
    const before = await snapshot(cloud);
    expect(await cloud.post('/auth/token/create', { name: 'x' }, plain.token)).toEqual({
      code: 403,
      msg: 'This API token may not create tokens',
      data: {},
    });
    expect(await cloud.post('/auth/token/create', { name: 'x', mayCreateTokens: true }, plain.token)).toMatchObject({ code: 403 });
    expect(await snapshot(cloud)).toBe(before);
    expect(await cloud.post('/auth/token/create', { name: 'x' }, minting.token)).toMatchObject({ code: 0, data: { parentId: minting.id } });
  });
});

describe('a window named by uuid that the caller may not see', () => {
  let cloud: CloudHarness;
  let owner: Account;
  beforeAll(async () => {
    cloud = await startCloud();
    owner = await registerOwner(cloud);
  });
  afterAll(() => cloud.close());

  const ENDPOINTS: [string, (uuid: string) => Record<string, unknown>][] = [
    ['/browser/launch', (uuid) => ({ uuid, deviceId: 'desk' })],
    ['/browser/open-status/update', (uuid) => ({ uuid, deviceId: 'desk', status: 'opened' })],
    ['/browser/close', (uuid) => ({ uuid, deviceId: 'desk', cookies: [] })],
    [
      '/browser/cookies/import',
      (uuid) => ({
        uuid,
        cookies: [{ name: 'k', value: 'v', domain: 'a.test', path: '/', secure: false, httpOnly: false, sameSite: 'lax' }],
      }),
    ],
    ['/browser/profile/blobs/missing', (uuid) => ({ uuid, sha256s: ['a'.repeat(64)] })],
    ['/browser/profile/commit', (uuid) => ({ uuid, deviceId: 'desk', commitId: randomUUID(), baseVersion: null, sync: {}, files: [] })],
    ['/browser/profile/manifest', (uuid) => ({ uuid })],
    ['/browser/profile/restore', (uuid) => ({ uuid, version: 1 })],
  ];

  it('is answered like an unknown one, live or in the recycle bin', async () => {
    const mine = await createGroup(cloud, owner);
    const theirs = await createGroup(cloud, owner);
    const member = await addMember(cloud, owner, {
      permissions: ['browser:open', 'browser:update:single', 'browser:list'],
      scope: 'groups',
      groupIds: [mine],
    });
    const outside = await createWindow(cloud, owner, { groupId: theirs });
    const binnedOutside = await createWindow(cloud, owner, { groupId: theirs });
    expect((await cloud.post('/browser/delete/ids', { ids: [binnedOutside.id] }, owner.token)).code).toBe(0);
    for (const [path, body] of ENDPOINTS) {
      const before = await snapshot(cloud);
      for (const uuid of [outside.uuid, binnedOutside.uuid, randomUUID()]) {
        expect({ path, answer: await cloud.post(path, body(uuid), member.token) }).toEqual({
          path,
          answer: { code: 404, msg: `Window ${uuid} not found`, data: {} },
        });
      }
      expect(await snapshot(cloud)).toBe(before);
    }
  });
});

describe('saved proxies and tags a member limited to groups manages', () => {
  let cloud: CloudHarness;
  let owner: Account;
  beforeAll(async () => {
    cloud = await startCloud();
    owner = await registerOwner(cloud);
  });
  afterAll(() => cloud.close());

  it("counts a tag's live windows among those the caller may see, and only when asked", async () => {
    const mine = await createGroup(cloud, owner);
    const theirs = await createGroup(cloud, owner);
    const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'groups', groupIds: [mine] });
    const tag = await createTag(cloud, owner);
    const unused = await createTag(cloud, owner);
    await createWindow(cloud, owner, { groupId: mine, tagIds: [tag] });
    await createWindow(cloud, owner, { groupId: theirs, tagIds: [tag] });
    // An ungrouped window is outside a limited scope; the recycle bin's are counted by nobody.
    await createWindow(cloud, owner, { tagIds: [tag] });
    const binned = await createWindow(cloud, owner, { groupId: mine, tagIds: [tag, unused] });
    await cloud.post('/browser/delete', { id: binned.id }, owner.token);
    const counts = async (token: string) => {
      const list = (await cloud.post('/tag/list', { pageSize: 100, counts: true }, token)).data.list as {
        id: number;
        windowCount: number;
      }[];
      return Object.fromEntries(list.filter((t) => t.id === tag || t.id === unused).map((t) => [t.id, t.windowCount]));
    };
    expect(await counts(owner.token)).toEqual({ [tag]: 3, [unused]: 0 });
    expect(await counts(member.token)).toEqual({ [tag]: 1, [unused]: 0 });
    const plain = (await cloud.post('/tag/list', { pageSize: 100 }, owner.token)).data.list as Record<string, unknown>[];
    expect(plain.filter((t) => 'windowCount' in t)).toEqual([]);
  });

  it('changes or deletes one only while no window outside their scope uses it, and counts only their windows', async () => {
    const mine = await createGroup(cloud, owner);
    const theirs = await createGroup(cloud, owner);
    const member = await addMember(cloud, owner, {
      permissions: ['proxy:manage', 'tag:manage', 'browser:list', 'browser:update:single'],
      scope: 'groups',
      groupIds: [mine],
    });
    const addProxy = async () =>
      (await cloud.post('/proxy/add', { name: `p${Math.random()}`, proxyType: 'http', host: '127.0.0.1', port: 3128 }, owner.token)).data
        .id as number;
    const shared = await addProxy();
    const ungroupedUse = await addProxy();
    const onlyMine = await addProxy();
    const sharedTag = await createTag(cloud, owner);
    const mineTag = await createTag(cloud, owner);
    await createWindow(cloud, owner, { groupId: mine, proxyMethod: 4, proxyId: shared, tagIds: [sharedTag, mineTag] });
    await createWindow(cloud, owner, { groupId: mine, proxyMethod: 4, proxyId: onlyMine });
    const outside = await createWindow(cloud, owner, { groupId: theirs, proxyMethod: 4, proxyId: shared, tagIds: [sharedTag] });
    // Ungrouped windows are outside a limited scope too, and the recycle bin's count.
    const binned = await createWindow(cloud, owner, { proxyMethod: 4, proxyId: ungroupedUse });
    await cloud.post('/browser/delete', { id: binned.id }, owner.token);

    const before = await snapshot(cloud);
    const refusals: [string, Record<string, unknown>, string][] = [
      ['/proxy/update', { id: shared, host: '203.0.113.9' }, `Proxy ${shared} is used by windows outside your window scope`],
      ['/proxy/update', { id: ungroupedUse, remark: 'r' }, `Proxy ${ungroupedUse} is used by windows outside your window scope`],
      ['/proxy/delete', { id: shared }, `Proxy ${shared} is used by windows outside your window scope`],
      ['/proxy/delete', { id: ungroupedUse }, `Proxy ${ungroupedUse} is used by windows outside your window scope`],
      ['/tag/update', { id: sharedTag, name: 'renamed' }, `Tag ${sharedTag} is used by windows outside your window scope`],
      ['/tag/delete', { id: sharedTag }, `Tag ${sharedTag} is used by windows outside your window scope`],
    ];
    for (const [path, body, msg] of refusals) {
      expect({ path, answer: await cloud.post(path, body, member.token) }).toEqual({ path, answer: { code: 403, msg, data: {} } });
    }
    expect(await snapshot(cloud)).toBe(before);
    expect((await cloud.post('/browser/detail', { id: outside.id }, owner.token)).data.tags).toHaveLength(1);

    // Within their scope, as anyone: the 409 counts their windows only.
    expect(await cloud.post('/proxy/delete', { id: onlyMine }, member.token)).toEqual({
      code: 409,
      msg: `Proxy ${onlyMine} is used by 1 window; bind them to another proxy first`,
      data: {},
    });
    expect(await cloud.post('/proxy/update', { id: onlyMine, remark: 'mine' }, member.token)).toMatchObject({
      code: 0,
      data: { remark: 'mine', windowCount: 1 },
    });
    const listed = (await cloud.post('/proxy/list', { pageSize: 100 }, member.token)).data.list as { id: number; windowCount: number }[];
    expect(listed.filter((p) => p.id === shared || p.id === ungroupedUse).map((p) => [p.id, p.windowCount])).toEqual([
      [ungroupedUse, 0],
      [shared, 1],
    ]);
    expect((await cloud.post('/tag/update', { id: mineTag, name: 'mine' }, member.token)).code).toBe(0);
    expect((await cloud.post('/tag/delete', { id: mineTag }, member.token)).code).toBe(0);
    // The owner sees every window.
    expect((await cloud.post('/proxy/update', { id: shared, remark: 'shared' }, owner.token)).data.windowCount).toBe(2);
    expect((await cloud.post('/tag/delete', { id: sharedTag }, owner.token)).code).toBe(0);
  });
});
