/**
 * Long: sign-in, sessions, devices and API tokens share one transaction style and one audit trail.
 * How each table is read and written is its store's (`UserStore`, `TeamStore`, `SessionStore`,
 * `ApiTokenStore`); this file says what happens.
 */
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { hash, verify } from '@node-rs/argon2';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  ALL_PERMISSIONS,
  ConflictError,
  ForbiddenError,
  InvalidParamError,
  MeResponse,
  NotFoundError,
  TeamResponse,
  UnauthorizedError,
  UserResponse,
  uuidBetween,
} from '@cos/contracts';
import { AuditLog } from '../audit/audit-log';
import { CloudConfig } from '../config/cloud-config';
import { hashToken, randomToken, sameHash, SecretBox } from '../crypto/secret-box';
import { TeamEntity } from '../accounts/team.entity';
import { TeamStore } from '../accounts/team-store';
import { UserEntity } from '../accounts/user.entity';
import { UserStore } from '../accounts/user-store';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokenStore } from './api-token-store';
import { AccessTokenPayload, AuthContext } from '../access/auth-context';
import { AccountThrottle } from './account-throttle';
import { AuthLoader } from './auth-loader';
import { API_TOKEN_PREFIX } from './auth.guard';
import { SessionEntity } from './session.entity';
import { SessionStore } from './session-store';
import { sessionCaller } from './verified-tokens';
import { CreateApiTokenDto, LoginDto, RegisterDto } from './dto/auth.dto';

/** argon2id with the library's defaults (19 MiB, 2 passes): memory-hard, ~20 ms here. */
export const hashPassword = (password: string) => hash(password);

/** A refresh token: its session's id, a dot, and the secret. */
const REFRESH_TOKEN = uuidBetween('', '\\.([A-Za-z0-9_-]{20,})');

/** A device id the cloud issues: to a login session or an API token, never chosen by the client. */
const issueDeviceId = () => `dev-${randomUUID()}`;

// Verified when the email is unknown, so both failures take the same time.
const DUMMY_HASH = hash('dummy password for timing');

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jwt: JwtService,
    private readonly config: CloudConfig,
    private readonly loader: AuthLoader,
    private readonly audit: AuditLog,
    private readonly throttle: AccountThrottle,
    private readonly users: UserStore,
    private readonly teams: TeamStore,
    private readonly sessions: SessionStore,
    private readonly tokens: ApiTokenStore,
    private readonly box: SecretBox,
  ) {}

  /** `address`: the client's, as the app's `trust proxy` setting names it. */
  async register(dto: RegisterDto, address: string) {
    if (!this.config.env.REGISTRATION_ENABLED) throw new ForbiddenError('Registration is disabled');
    const passwordHash = await hashPassword(dto.password);
    const user = await this.db.transaction(async (manager) => {
      await this.assertEmailFree(manager, dto.email);
      const team = await this.teams.insert(manager, dto.teamName ?? `${dto.name || dto.email}'s team`);
      return this.users.insert(manager, { teamId: team.id, email: dto.email, name: dto.name ?? '', passwordHash, role: 'owner' });
    });
    return this.loginAnswer(user, address);
  }

  async login(dto: LoginDto, address: string) {
    const user = await this.users.findByEmail(dto.email);
    await this.throttle.assertMayTry(dto.email, user?.id ?? null, address);
    const valid = await verify(user?.passwordHash ?? (await DUMMY_HASH), dto.password).catch(() => false);
    if (!user || !valid) {
      await this.throttle.failed(dto.email);
      throw new UnauthorizedError('Invalid email or password');
    }
    return this.loginAnswer(user, address, dto.deviceId);
  }

  /**
   * Rotates the refresh token. The token it replaced, presented within `REFRESH_REUSE_GRACE_SECONDS`
   * of that rotation (a reload, or tabs restored together, whose refreshes went at once), is answered
   * the same new token, so every copy of one cookie ends up the same. Any replaced token presented
   * after that, or one replaced earlier, is a replay: the whole session ends, whoever holds it now.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const { sessionId, secretHash } = this.parseRefreshToken(refreshToken);
    const grace = this.config.env.REFRESH_REUSE_GRACE_SECONDS;
    // Read again once when the rotation finds the token gone: another refresh with it rotated it
    // between this read and this rotation, and it is then the token just replaced.
    for (let read = 0; read < 2; read++) {
      const found = await this.sessions.forRefresh(sessionId, grace);
      if (!found || found.session.revokedAt || found.session.expiresAt <= new Date()) break;
      const { session, withinGrace } = found;
      if (sameHash(session.refreshHash, secretHash)) {
        const secret = randomToken();
        if (await this.sessions.rotate(sessionId, secretHash, hashToken(secret), this.box.seal(secret)))
          return this.tokenPair(await this.users.get(session.userId), sessionId, secret);
        continue;
      }
      if (session.previousRefreshHash && sameHash(session.previousRefreshHash, secretHash)) {
        if (grace <= 0 || !withinGrace) return this.replayed(sessionId);
        const secret = this.currentSecret(session);
        if (secret) return this.tokenPair(await this.users.get(session.userId), sessionId, secret);
        break;
      }
      if (session.retiredHashes?.split(' ').some((retired) => sameHash(retired, secretHash))) return this.replayed(sessionId);
      break;
    }
    throw new UnauthorizedError('Refresh token invalid or expired');
  }

  /** The session's current refresh secret, when it is kept sealed and opens (a session rotated before it was kept has none). */
  private currentSecret(session: SessionEntity): string | null {
    if (!session.refreshSealed) return null;
    try {
      const secret = this.box.open(session.refreshSealed);
      return sameHash(hashToken(secret), session.refreshHash) ? secret : null;
    } catch {
      return null;
    }
  }

  private async replayed(sessionId: string): Promise<never> {
    await this.sessions.revoke(sessionId);
    await this.loader.forgetSession(sessionId);
    throw new UnauthorizedError('Refresh token was already used; the session has been ended');
  }

  /**
   * Ends the credential the caller came with, or a session of theirs they hold the current refresh
   * token of: a session id alone is no credential, so another user's session, a replaced or made-up
   * secret, and any refresh token at an API token's logout are refused with nothing ended (not even
   * the session's event streams). An API token is revoked as `/auth/token/revoke` would.
   */
  async logout(auth: AuthContext, refreshToken?: string): Promise<void> {
    if (auth.token) {
      if (refreshToken !== undefined)
        throw new InvalidParamError('refreshToken is not accepted with an API token: its logout revokes the token it came with');
      // Revoked here, unless a revoke got there first (ended all the same).
      await this.revokeLineage(auth, auth.token.id);
      return;
    }
    const sessionId = refreshToken === undefined ? auth.sessionId : await this.sessionOfCurrentToken(auth.userId, refreshToken);
    if (!sessionId) return;
    const ended = await this.db.transaction(async (manager) => {
      if (!(await this.sessions.end(manager, sessionId, auth.userId))) return false;
      await this.audit.record(manager, { teamId: auth.teamId, actorId: auth.userId, kind: 'auth.logout' });
      return true;
    });
    if (ended) await this.loader.forgetSession(sessionId);
  }

  /** The live session of `userId` whose current refresh token this is; refused as `refresh` refuses any other. */
  private async sessionOfCurrentToken(userId: number, refreshToken: string): Promise<string> {
    const { sessionId, secretHash } = this.parseRefreshToken(refreshToken);
    const session = await this.sessions.findLive(sessionId);
    if (!session || session.userId !== userId || session.expiresAt <= new Date() || !sameHash(session.refreshHash, secretHash))
      throw new UnauthorizedError('Refresh token invalid or expired');
    return session.id;
  }

  /**
   * Ends the session a refresh token belongs to (the console's sign-out): its current token, or the
   * one it just replaced (a sign-out sent while a refresh was on its way carries that one, and must
   * not leave the session the refresh rotated alive); any other token ends nothing.
   */
  async endSession(refreshToken: string): Promise<void> {
    let parsed: { sessionId: string; secretHash: string };
    try {
      parsed = this.parseRefreshToken(refreshToken);
    } catch {
      return;
    }
    const session = await this.sessions.findLive(parsed.sessionId);
    const named = (hash: string | null) => hash !== null && sameHash(hash, parsed.secretHash);
    if (!session || !(named(session.refreshHash) || named(session.previousRefreshHash))) return;
    const user = await this.users.get(session.userId);
    await this.db.transaction(async (manager) => {
      if (await this.sessions.end(manager, session.id))
        await this.audit.record(manager, { teamId: user.teamId, actorId: user.id, kind: 'auth.logout' });
    });
    await this.loader.forgetSession(session.id);
  }

  /**
   * Who an access token this cloud just minted stands for (the console's refresh answers it, so the
   * page is drawn without asking): as `/auth/me` would answer that token, its session still standing.
   */
  async meOf(accessToken: string): Promise<MeResponse> {
    return this.me(await sessionCaller(this.loader, this.jwt.decode<AccessTokenPayload>(accessToken)));
  }

  async me(auth: AuthContext): Promise<MeResponse> {
    const user = await this.users.get(auth.userId);
    const team = await this.teams.get(auth.teamId);
    return { user: this.userView(user), team: this.teamView(team), deviceId: auth.deviceId, ...this.accessView(auth) };
  }

  /**
   * A login creates any token; an API token creates one only if it was given `mayCreateTokens`,
   * and what it creates expires no later than it does and is its child (revoked with it).
   */
  async createApiToken(auth: AuthContext, dto: CreateApiTokenDto) {
    const parent = auth.token;
    if (parent && !parent.mayCreateTokens) throw new ForbiddenError('This API token may not create tokens');
    const requested = dto.expiresInDays ? new Date(Date.now() + dto.expiresInDays * 86_400_000) : null;
    if (parent?.expiresAt && requested && requested > parent.expiresAt) {
      throw new ForbiddenError(`A token created by an API token cannot outlive it (it expires ${parent.expiresAt.toISOString()})`);
    }
    const token = `${API_TOKEN_PREFIX}${randomToken()}`;
    const saved = await this.db.transaction(async (manager) => {
      // The parent is held until this commits, so a revocation of it either comes first (and this
      // refuses) or sees, and revokes, the child.
      if (parent && !(await this.tokens.lockLive(manager, parent.id))) throw new UnauthorizedError('API token invalid, expired or revoked');
      const created = await this.tokens.insert(manager, {
        userId: auth.userId,
        name: dto.name,
        deviceId: issueDeviceId(),
        tokenHash: hashToken(token),
        tokenPrefix: token.slice(0, 14),
        expiresAt: requested ?? parent?.expiresAt ?? null,
        parentId: parent?.id ?? null,
        mayCreateTokens: dto.mayCreateTokens ?? false,
      });
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind: 'token.created',
        data: { tokenId: created.id, name: dto.name, ...(parent ? { byTokenId: parent.id } : {}) },
      });
      return created;
    });
    return { ...this.apiTokenView(saved), token };
  }

  /** A login sees every token of its user; an API token sees itself and the tokens created from it, at any depth. */
  async listApiTokens(auth: AuthContext) {
    const tokens = await this.tokens.list(auth.userId, auth.apiTokenId);
    return { list: tokens.map((t) => this.apiTokenView(t)) };
  }

  /**
   * Revokes the token and every token created from it, at any depth. An API token may revoke only
   * tokens it sees (`listApiTokens`); any other answers 404 as an unknown one does.
   */
  async revokeApiToken(auth: AuthContext, id: number): Promise<void> {
    if (!(await this.revokeLineage(auth, id))) throw new NotFoundError(`API token ${id} not found`);
  }

  /** False when the caller sees no live token `id`: nothing was revoked. */
  private async revokeLineage(auth: AuthContext, id: number): Promise<boolean> {
    const done = await this.db.transaction(async (manager) => {
      const revoked = await this.tokens.revokeLineage(manager, id, auth.userId, auth.apiTokenId);
      if (!revoked.includes(id)) return false;
      const children = revoked.filter((other) => other !== id);
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind: 'token.revoked',
        data: { tokenId: id, ...(children.length ? { childTokenIds: children } : {}) },
      });
      return true;
    });
    if (done) await this.loader.forgetUser(auth.userId);
    return done;
  }

  /** A member's role, permissions or scope changed, or they were removed: stop using what was loaded. */
  forgetUser(userId: number): Promise<void> {
    return this.loader.forgetUser(userId);
  }

  async assertEmailFree(manager: EntityManager, email: string): Promise<void> {
    if (await this.users.emailTaken(manager, email)) throw new ConflictError('Email already registered');
  }

  userView(user: UserEntity): UserResponse {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      teamId: user.teamId,
      createdAt: user.createdAt.toISOString(),
    };
  }

  private teamView(team: TeamEntity): TeamResponse {
    return { id: team.id, name: team.name, createdAt: team.createdAt.toISOString() };
  }

  private accessView(auth: AuthContext): Pick<MeResponse, 'permissions' | 'scope' | 'groupIds'> {
    return {
      permissions: ALL_PERMISSIONS.filter((p) => auth.holds(p)),
      scope: auth.role === 'member' ? auth.scope : 'all',
      groupIds: auth.role === 'member' && auth.scope === 'groups' ? [...auth.groupIds] : [],
    };
  }

  private apiTokenView(token: ApiTokenEntity) {
    return {
      id: token.id,
      name: token.name,
      tokenPrefix: token.tokenPrefix,
      deviceId: token.deviceId,
      createdAt: token.createdAt.toISOString(),
      expiresAt: token.expiresAt?.toISOString() ?? null,
      lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
      revoked: token.revokedAt !== null,
      mayCreateTokens: token.mayCreateTokens,
      parentId: token.parentId,
    };
  }

  /** Signs in a member just created (an invitation accepted): a new session, answered as a login is. */
  signInNew(user: UserEntity, address: string) {
    return this.loginAnswer(user, address);
  }

  /** A new session; it takes over `carried` when that device was issued to an earlier session of this user. */
  private async loginAnswer(user: UserEntity, address: string, carried?: string) {
    const sessionId = randomUUID();
    const secret = randomToken();
    const { deviceId, ended } = await this.db.transaction(async (manager) => {
      const taken = carried ? await this.takeOverDevice(manager, user.id, carried) : null;
      const deviceId = carried && taken ? carried : issueDeviceId();
      await this.sessions.insert(manager, {
        id: sessionId,
        userId: user.id,
        deviceId,
        refreshHash: hashToken(secret),
        previousRefreshHash: null,
        expiresAt: new Date(Date.now() + this.config.env.REFRESH_TOKEN_TTL_SECONDS * 1000),
        revokedAt: null,
      });
      await this.throttle.signedIn(manager, user.id, address);
      await this.audit.record(manager, { teamId: user.teamId, actorId: user.id, kind: 'auth.login', deviceId });
      return { deviceId, ended: taken ?? [] };
    });
    for (const id of ended) await this.loader.forgetSession(id);
    const team = await this.teams.get(user.teamId);
    return {
      ...(await this.tokenPair(user, sessionId, secret)),
      deviceId,
      user: this.userView(user),
      team: this.teamView(team),
    };
  }

  /**
   * Ends the earlier sessions of this user that hold `deviceId`, so a new login goes on as that
   * device (an agent whose session ran out keeps its window leases). Null, and a new device, when
   * the device is not this user's or another login took it over meanwhile. Answers the ended
   * sessions that were still live.
   */
  private async takeOverDevice(manager: EntityManager, userId: number, deviceId: string): Promise<string[] | null> {
    const earlier = await this.sessions.endOnDevice(manager, userId, deviceId);
    if (earlier.length === 0) return null;
    // A concurrent login that took the device over first committed a live session with it.
    if (await this.sessions.deviceHeld(manager, deviceId)) return null;
    return earlier.filter((s) => s.live).map((s) => s.id);
  }

  private async tokenPair(user: UserEntity, sessionId: string, secret: string): Promise<TokenPair> {
    const payload: AccessTokenPayload = { sub: user.id, sid: sessionId, tid: user.teamId };
    const expiresIn = this.config.env.ACCESS_TOKEN_TTL_SECONDS;
    const accessToken = await this.jwt.signAsync(payload, { expiresIn, algorithm: 'HS256' });
    return { accessToken, refreshToken: `${sessionId}.${secret}`, expiresIn };
  }

  private parseRefreshToken(token: string): { sessionId: string; secretHash: string } {
    const match = REFRESH_TOKEN.exec(token);
    if (!match) throw new UnauthorizedError('Refresh token invalid or expired');
    return { sessionId: match[1], secretHash: hashToken(match[2]) };
  }
}
