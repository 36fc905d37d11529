import type { Permission } from '@cos/contracts';
import { CloudHarness } from './cloud-app';

let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

export interface Account {
  token: string;
  userId: number;
  teamId: number;
  email: string;
  password: string;
  /** The device the cloud issued to this login session. */
  deviceId: string;
}

export async function registerOwner(cloud: CloudHarness, overrides: { email?: string; password?: string } = {}): Promise<Account> {
  const email = overrides.email ?? `${unique('owner')}@example.com`;
  const password = overrides.password ?? 'owner-password-1';
  const res = await cloud.post('/auth/register', { email, password, name: 'Owner' });
  if (res.code !== 0) throw new Error(`register failed: ${res.msg}`);
  return { token: res.data.accessToken, userId: res.data.user.id, teamId: res.data.team.id, email, password, deviceId: res.data.deviceId };
}

export async function addMember(
  cloud: CloudHarness,
  by: Account,
  access: { role?: string; permissions?: Permission[]; scope?: 'all' | 'groups'; groupIds?: number[] } = {},
): Promise<Account> {
  const email = `${unique('member')}@example.com`;
  const password = 'member-password-1';
  const added = await cloud.post('/team/member/add', { email, password, ...access }, by.token);
  if (added.code !== 0) throw new Error(`member/add failed: ${added.msg}`);
  return signIn(cloud, { email, password });
}

/** A new login session of an account: another device of the same member, with a device id of its own. */
export async function signIn(cloud: CloudHarness, account: { email: string; password: string }): Promise<Account> {
  const { email, password } = account;
  const login = await cloud.post('/auth/login', { email, password });
  if (login.code !== 0) throw new Error(`login failed: ${login.msg}`);
  return {
    token: login.data.accessToken,
    userId: login.data.user.id,
    teamId: login.data.team.id,
    email,
    password,
    deviceId: login.data.deviceId,
  };
}

export async function createGroup(cloud: CloudHarness, by: Account, name = unique('group')): Promise<number> {
  const res = await cloud.post('/group/add', { name }, by.token);
  if (res.code !== 0) throw new Error(`group/add failed: ${res.msg}`);
  return res.data.id;
}

export async function createTag(cloud: CloudHarness, by: Account, name = unique('tag')): Promise<number> {
  const res = await cloud.post('/tag/add', { name }, by.token);
  if (res.code !== 0) throw new Error(`tag/add failed: ${res.msg}`);
  return res.data.id;
}

export async function createWindow(cloud: CloudHarness, by: Account, overrides: Record<string, unknown> = {}) {
  const res = await cloud.post('/browser/update', { name: unique('window'), ...overrides }, by.token);
  if (res.code !== 0) throw new Error(`browser/update failed: ${res.msg}`);
  return res.data as { id: number; uuid: string; [key: string]: unknown };
}

/** A digest of every row the API can change, to prove a refused call changed nothing. */
export async function snapshot(cloud: CloudHarness): Promise<string> {
  const tables = [
    'teams',
    'users',
    'member_groups',
    'groups',
    'tags',
    'windows',
    'window_tags',
    'api_tokens',
    'proxies',
    'profile_versions',
    'profile_blobs',
    'profile_blob_links',
    'devices',
    'device_commands',
    'tasks',
    'task_versions',
    'runs',
    'run_windows',
    'schedules',
    'webhooks',
    'webhook_deliveries',
    'variables',
    'run_shots',
    'invitations',
  ];
  const parts: string[] = [];
  for (const table of tables) {
    // A device's presence (its line, when it was last heard) moves with time, whatever a call did:
    // a line left by a long-poll is let go after the offline window, maybe under another call's snapshot.
    const source = table === 'devices' ? `(SELECT device_id, team_id, user_id, hostname, platform, version FROM devices)` : table;
    const [row] = await cloud.db.query(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${source} t`);
    parts.push(`${table}:${row.digest}`);
  }
  return parts.join(' ');
}
