/* eslint-disable @typescript-eslint/require-await -- the fakes answer at once, through the promises of what they stand for */
import { JwtService } from '@nestjs/jwt';
import { ResultCode } from '@cos/contracts';
import { InMemoryTeams } from '../accounts/team-store.fake';
import { InMemoryUsers } from '../accounts/user-store.fake';
import { AuditRecorder } from '../audit/audit-log.fake';
import { fakeOf, MANAGER, transactions } from '../common/unit.fake';
import { InMemoryApiTokens } from './api-token-store.fake';
import { InMemorySessions } from './session-store.fake';
import { AuthContext, CallerToken } from '../access/auth-context';
import type { AuditLog } from '../audit/audit-log';
import type { CloudConfig } from '../config/cloud-config';
import { randomBytes } from 'node:crypto';
import { hashToken, SecretBox } from '../crypto/secret-box';
import type { AccountThrottle } from './account-throttle';
import type { ApiTokenStore } from './api-token-store';
import type { AuthLoader } from './auth-loader';
import { AuthService, hashPassword } from './auth.service';
import { RETIRED_MAX } from './session-store';
import type { SessionStore } from './session-store';
import type { TeamStore } from '../accounts/team-store';
import type { UserStore } from '../accounts/user-store';

/** The decisions of sign-in, sessions and API tokens, on in-memory stores. */
describe('AuthService', () => {
  const DAY = 86_400_000;
  let users: InMemoryUsers;
  let teams: InMemoryTeams;
  let sessions: InMemorySessions;
  let tokens: InMemoryApiTokens;
  let audit: AuditRecorder;
  let forgotten: { users: number[]; sessions: string[] };
  let failedLogins: string[];
  let service: AuthService;
  let userId: number;
  let teamId: number;
  let env: { -readonly [K in keyof CloudConfig['env']]: CloudConfig['env'][K] };

  beforeEach(async () => {
    users = new InMemoryUsers();
    teams = new InMemoryTeams();
    sessions = new InMemorySessions();
    tokens = new InMemoryApiTokens();
    audit = new AuditRecorder();
    forgotten = { users: [], sessions: [] };
    failedLogins = [];
    env = {
      REGISTRATION_ENABLED: true,
      REFRESH_TOKEN_TTL_SECONDS: 3600,
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_REUSE_GRACE_SECONDS: 0,
    } as CloudConfig['env'];
    const config = fakeOf<CloudConfig>({ env, secrets: { encryptionKey: randomBytes(32) } as CloudConfig['secrets'] });
    const loader = fakeOf<AuthLoader>({
      forgetUser: async (id) => void forgotten.users.push(id),
      forgetSession: async (id) => void forgotten.sessions.push(id),
    });
    const throttle = fakeOf<AccountThrottle>({
      assertMayTry: async () => undefined,
      failed: async (email) => void failedLogins.push(email),
      signedIn: async () => undefined,
    });
    service = new AuthService(
      transactions(),
      new JwtService({ secret: 'unit' }),
      config,
      loader,
      fakeOf<AuditLog>(audit),
      throttle,
      fakeOf<UserStore>(users),
      fakeOf<TeamStore>(teams),
      fakeOf<SessionStore>(sessions),
      fakeOf<ApiTokenStore>(tokens),
      new SecretBox(config),
    );
    teamId = (await teams.insert(MANAGER, 'team')).id;
    userId = users.add({ teamId, role: 'owner', email: 'owner@example.com', passwordHash: await hashPassword('right password') }).id;
  });

  const login = () => new AuthContext(userId, teamId, 'owner', [], 'all', [], 'session', 'dev-login');
  const byToken = (token: CallerToken) => new AuthContext(userId, teamId, 'owner', [], 'all', [], null, 'dev-token', token);
  const tokenOf = (id: number): CallerToken => {
    const row = tokens.byId(id)!;
    return { id, mayCreateTokens: row.mayCreateTokens, expiresAt: row.expiresAt };
  };

  describe('creating API tokens', () => {
    it('lets a login create a token of its own, with no parent and no expiry unless asked', async () => {
      const created = await service.createApiToken(login(), { name: 'script' });
      expect(created).toMatchObject({ name: 'script', parentId: null, expiresAt: null, mayCreateTokens: false, revoked: false });
      expect(created.token.startsWith('cos_pat_')).toBe(true);
      expect(tokens.byId(created.id)).toMatchObject({ userId, tokenHash: hashToken(created.token), parentId: null });
      expect(audit.entries).toEqual([{ teamId, actorId: userId, kind: 'token.created', data: { tokenId: created.id, name: 'script' } }]);
    });

    it('refuses a token that was not given mayCreateTokens, and stores nothing', async () => {
      const parent = tokens.add({ userId, mayCreateTokens: false });
      await expect(service.createApiToken(byToken(tokenOf(parent.id)), { name: 'child' })).rejects.toMatchObject({
        code: ResultCode.Forbidden,
        message: 'This API token may not create tokens',
      });
      expect(tokens.rows).toHaveLength(1);
      expect(audit.entries).toEqual([]);
    });

    it('makes what a token creates its child, expiring with it, and refuses a child that would outlive it', async () => {
      const expiresAt = new Date(Date.now() + 10 * DAY);
      const parent = tokens.add({ userId, mayCreateTokens: true, expiresAt });
      await expect(service.createApiToken(byToken(tokenOf(parent.id)), { name: 'long', expiresInDays: 11 })).rejects.toMatchObject({
        code: ResultCode.Forbidden,
        message: `A token created by an API token cannot outlive it (it expires ${expiresAt.toISOString()})`,
      });
      expect(tokens.rows).toHaveLength(1);

      const child = await service.createApiToken(byToken(tokenOf(parent.id)), { name: 'child' });
      expect(child).toMatchObject({ parentId: parent.id, expiresAt: expiresAt.toISOString() });
      const shorter = await service.createApiToken(byToken(tokenOf(parent.id)), { name: 'shorter', expiresInDays: 9 });
      expect(new Date(shorter.expiresAt!).getTime()).toBeLessThan(expiresAt.getTime());
      expect(audit.entries.map((e) => e.data)).toEqual([
        { tokenId: child.id, name: 'child', byTokenId: parent.id },
        { tokenId: shorter.id, name: 'shorter', byTokenId: parent.id },
      ]);
    });

    it('refuses when the parent was revoked after the caller was loaded', async () => {
      const parent = tokens.add({ userId, mayCreateTokens: true });
      const caller = byToken(tokenOf(parent.id));
      parent.revokedAt = new Date();
      await expect(service.createApiToken(caller, { name: 'late' })).rejects.toMatchObject({ code: ResultCode.Unauthorized });
      expect(tokens.rows).toHaveLength(1);
      expect(audit.entries).toEqual([]);
    });
  });

  describe('listing and revoking API tokens', () => {
    /** root ← child ← grandchild, and a sibling of root. */
    const family = () => {
      const root = tokens.add({ userId, mayCreateTokens: true });
      const child = tokens.add({ userId, parentId: root.id, mayCreateTokens: true });
      const grandchild = tokens.add({ userId, parentId: child.id });
      const sibling = tokens.add({ userId });
      return { root, child, grandchild, sibling };
    };

    it('shows a login every token of its user, and a token only itself and what descends from it', async () => {
      const { root, child, grandchild, sibling } = family();
      const ids = async (auth: AuthContext) => (await service.listApiTokens(auth)).list.map((t) => t.id);
      expect(await ids(login())).toEqual([sibling.id, grandchild.id, child.id, root.id]);
      expect(await ids(byToken(tokenOf(child.id)))).toEqual([grandchild.id, child.id]);
    });

    it('revokes a token with its whole lineage, records the children and forgets the user', async () => {
      const { root, child, grandchild, sibling } = family();
      await service.revokeApiToken(login(), root.id);
      expect([root, child, grandchild].map((t) => t.revokedAt !== null)).toEqual([true, true, true]);
      expect(sibling.revokedAt).toBeNull();
      expect(audit.entries).toEqual([
        { teamId, actorId: userId, kind: 'token.revoked', data: { tokenId: root.id, childTokenIds: [child.id, grandchild.id] } },
      ]);
      expect(forgotten.users).toEqual([userId]);
    });

    it('answers 404 to a token revoking its parent or a sibling, as for an unknown or revoked one, and changes nothing', async () => {
      const { root, child, sibling } = family();
      for (const id of [root.id, sibling.id, 999]) {
        await expect(service.revokeApiToken(byToken(tokenOf(child.id)), id)).rejects.toMatchObject({
          code: ResultCode.NotFound,
          message: `API token ${id} not found`,
        });
      }
      expect(tokens.rows.every((t) => t.revokedAt === null)).toBe(true);
      sibling.revokedAt = new Date();
      await expect(service.revokeApiToken(login(), sibling.id)).rejects.toMatchObject({ code: ResultCode.NotFound });
      expect(audit.entries).toEqual([]);
      expect(forgotten.users).toEqual([]);
    });

    it('ends the API token a logout comes with, lineage included', async () => {
      const { root, child } = family();
      await service.logout(byToken(tokenOf(root.id)));
      expect(child.revokedAt).not.toBeNull();
      expect(audit.kinds()).toEqual(['token.revoked']);
    });
  });

  describe('sessions', () => {
    it('refuses a wrong password without a session, and counts it against the account', async () => {
      await expect(service.login({ email: 'OWNER@example.com', password: 'wrong password' }, '10.0.0.1')).rejects.toMatchObject({
        code: ResultCode.Unauthorized,
        message: 'Invalid email or password',
      });
      expect(sessions.rows).toEqual([]);
      expect(failedLogins).toEqual(['OWNER@example.com']);
    });

    it('rotates the refresh token; the replaced one presented again ends the session', async () => {
      const first = await service.login({ email: 'owner@example.com', password: 'right password' }, '10.0.0.1');
      const second = await service.refresh(first.refreshToken);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      const [sessionId] = first.refreshToken.split('.');
      expect(sessions.rows[0]).toMatchObject({ id: sessionId, revokedAt: null });

      await expect(service.refresh(first.refreshToken)).rejects.toMatchObject({
        code: ResultCode.Unauthorized,
        message: 'Refresh token was already used; the session has been ended',
      });
      expect(sessions.rows[0].revokedAt).not.toBeNull();
      expect(forgotten.sessions).toEqual([sessionId]);
      await expect(service.refresh(second.refreshToken)).rejects.toMatchObject({ code: ResultCode.Unauthorized });
    });

    it('answers the token a rotation gave to its twins within the grace; a token replaced earlier ends the session', async () => {
      env.REFRESH_REUSE_GRACE_SECONDS = 30;
      const first = await service.login({ email: 'owner@example.com', password: 'right password' }, '10.0.0.1');
      const second = await service.refresh(first.refreshToken);
      // Twins of the first refresh (tabs restored together) get what it got: one cookie for all.
      for (let twin = 0; twin < 3; twin++) expect((await service.refresh(first.refreshToken)).refreshToken).toBe(second.refreshToken);
      const third = await service.refresh(second.refreshToken);
      expect(sessions.rows[0].retiredHashes).toBe(hashToken(first.refreshToken.split('.')[1]));
      // `first` is two rotations back now: whoever presents it, the session ends.
      await expect(service.refresh(first.refreshToken)).rejects.toMatchObject({
        code: ResultCode.Unauthorized,
        message: 'Refresh token was already used; the session has been ended',
      });
      await expect(service.refresh(third.refreshToken)).rejects.toMatchObject({ code: ResultCode.Unauthorized });
    });

    it('remembers at most RETIRED_MAX replaced tokens besides the last one', async () => {
      const first = await service.login({ email: 'owner@example.com', password: 'right password' }, '10.0.0.1');
      let token = first.refreshToken;
      for (let round = 0; round < RETIRED_MAX + 5; round++) token = (await service.refresh(token)).refreshToken;
      expect(sessions.rows[0].retiredHashes!.split(' ')).toHaveLength(RETIRED_MAX);
      // The first token is past what is remembered: refused, the session left standing.
      await expect(service.refresh(first.refreshToken)).rejects.toMatchObject({ message: 'Refresh token invalid or expired' });
      expect(sessions.rows[0].revokedAt).toBeNull();
    });

    it('lets a new login go on as a device its earlier session held, and issues a new device for any other', async () => {
      const first = await service.login({ email: 'owner@example.com', password: 'right password' }, '10.0.0.1');
      const again = await service.login({ email: 'owner@example.com', password: 'right password', deviceId: first.deviceId }, '10.0.0.1');
      expect(again.deviceId).toBe(first.deviceId);
      expect(sessions.rows.map((s) => s.revokedAt === null)).toEqual([false, true]);
      expect(forgotten.sessions).toEqual([first.refreshToken.split('.')[0]]);

      const stranger = await service.login(
        { email: 'owner@example.com', password: 'right password', deviceId: 'dev-00000000-0000-4000-8000-000000000000' },
        '10.0.0.1',
      );
      expect(stranger.deviceId).not.toBe('dev-00000000-0000-4000-8000-000000000000');
      expect(stranger.deviceId).toMatch(/^dev-/);
    });

    it('issues a new device when another login took the device over first', async () => {
      const first = await service.login({ email: 'owner@example.com', password: 'right password' }, '10.0.0.1');
      // The other login committed its live session on the device between this one's two statements.
      sessions.deviceHeld = async () => true;
      const late = await service.login({ email: 'owner@example.com', password: 'right password', deviceId: first.deviceId }, '10.0.0.1');
      expect(late.deviceId).not.toBe(first.deviceId);
      expect(forgotten.sessions).toEqual([]);
    });

    it('ends only a session of the caller at logout, and records only an ending', async () => {
      const mine = await service.login({ email: 'owner@example.com', password: 'right password' }, '10.0.0.1');
      const other = users.add({ teamId, role: 'member' });
      const stranger = new AuthContext(other.id, teamId, 'member', [], 'all', [], 'their-session', 'dev-x');
      await expect(service.logout(stranger, mine.refreshToken)).rejects.toMatchObject({
        code: ResultCode.Unauthorized,
        message: 'Refresh token invalid or expired',
      });
      expect(sessions.rows[0].revokedAt).toBeNull();
      expect(audit.kinds()).toEqual(['auth.login']);
      // Not even the session's event streams end on another's word.
      expect(forgotten.sessions).toEqual([]);

      await service.logout(login(), mine.refreshToken);
      expect(sessions.rows[0].revokedAt).not.toBeNull();
      expect(audit.kinds()).toEqual(['auth.login', 'auth.logout']);
      expect(forgotten.sessions).toEqual([mine.refreshToken.split('.')[0]]);
    });

    it('ends a session at logout only for its current refresh token: a guessed or replaced secret ends nothing', async () => {
      const mine = await service.login({ email: 'owner@example.com', password: 'right password' }, '10.0.0.1');
      const [sessionId] = mine.refreshToken.split('.');
      const rotated = await service.refresh(mine.refreshToken);
      for (const token of [`${sessionId}.${'A'.repeat(43)}`, mine.refreshToken]) {
        await expect(service.logout(login(), token)).rejects.toMatchObject({
          code: ResultCode.Unauthorized,
          message: 'Refresh token invalid or expired',
        });
      }
      expect(sessions.rows[0].revokedAt).toBeNull();
      expect(forgotten.sessions).toEqual([]);
      expect(audit.kinds()).toEqual(['auth.login']);
      await service.logout(login(), rotated.refreshToken);
      expect(sessions.rows[0].revokedAt).not.toBeNull();
    });

    it("refuses a refresh token at an API token's logout: the token ends only itself", async () => {
      const mine = await service.login({ email: 'owner@example.com', password: 'right password' }, '10.0.0.1');
      const token = tokens.add({ userId });
      await expect(service.logout(byToken(tokenOf(token.id)), mine.refreshToken)).rejects.toMatchObject({
        code: ResultCode.InvalidParam,
        message: 'refreshToken is not accepted with an API token: its logout revokes the token it came with',
      });
      expect(sessions.rows[0].revokedAt).toBeNull();
      expect(token.revokedAt).toBeNull();
      expect(forgotten.sessions).toEqual([]);
      expect(audit.kinds()).toEqual(['auth.login']);
    });
  });

  describe('registration', () => {
    it('refuses an email taken in any case, creating no team', async () => {
      await expect(service.register({ email: 'Owner@Example.com', password: 'password 123' }, '10.0.0.1')).rejects.toMatchObject({
        code: ResultCode.Conflict,
        message: 'Email already registered',
      });
      expect(teams.rows).toHaveLength(1);
    });
  });
});
