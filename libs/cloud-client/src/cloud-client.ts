import { ApiEnvelope, isEnvelope, ResultCode, UnauthorizedError } from '@cos/contracts';

/** How the agent is signed in: a login (access + refresh token) or a personal API token. */
export interface CloudSession {
  kind: 'password' | 'api-token';
  accessToken: string;
  refreshToken?: string;
  email?: string;
  userId?: number;
  teamId?: number;
}

export interface SessionStore {
  load(): CloudSession | null;
  save(session: CloudSession): void;
  clear(): void;
}

export class CloudUnreachableError extends Error {}

const TIMEOUT_MS = 30_000;

/**
 * The cloud as the agent sees it: POST with the session's Bearer token, one transparent refresh
 * (rotating the stored refresh token) when an access token has expired.
 */
export class CloudClient {
  private refreshing: Promise<boolean> | null = null;

  constructor(
    readonly baseUrl: string,
    private readonly store: SessionStore,
  ) {}

  get loggedIn(): boolean {
    return this.store.load() !== null;
  }

  session(): CloudSession | null {
    return this.store.load();
  }

  /** Calls a cloud endpoint as the signed-in user; the envelope comes back as the cloud sent it. */
  async call<T = Record<string, unknown>>(path: string, body: object = {}): Promise<ApiEnvelope<T>> {
    const session = this.store.load();
    if (!session) throw new UnauthorizedError('Agent not logged in');
    let answer = await this.post<T>(path, body, session.accessToken);
    if (answer.code === ResultCode.Unauthorized && session.kind === 'password' && (await this.refresh(session))) {
      answer = await this.post<T>(path, body, this.store.load()!.accessToken);
    }
    return answer;
  }

  async login(email: string, password: string): Promise<CloudSession> {
    const answer = await this.post<{ accessToken: string; refreshToken: string; user: { id: number; teamId: number } }>('/auth/login', {
      email,
      password,
    });
    if (answer.code !== 0) throw new UnauthorizedError(answer.msg);
    const session: CloudSession = {
      kind: 'password',
      accessToken: answer.data.accessToken,
      refreshToken: answer.data.refreshToken,
      email,
      userId: answer.data.user.id,
      teamId: answer.data.user.teamId,
    };
    this.store.save(session);
    return session;
  }

  async useApiToken(token: string): Promise<CloudSession> {
    const me = await this.post<{ user: { id: number; email: string; teamId: number } }>('/auth/me', {}, token);
    if (me.code !== 0) throw new UnauthorizedError(me.msg);
    const session: CloudSession = {
      kind: 'api-token',
      accessToken: token,
      email: me.data.user.email,
      userId: me.data.user.id,
      teamId: me.data.user.teamId,
    };
    this.store.save(session);
    return session;
  }

  async logout(): Promise<void> {
    const session = this.store.load();
    if (session?.kind === 'password')
      await this.post('/auth/logout', { refreshToken: session.refreshToken }, session.accessToken).catch(() => undefined);
    this.store.clear();
  }

  private refresh(session: CloudSession): Promise<boolean> {
    // Concurrent calls share one refresh: a refresh token works once.
    this.refreshing ??= (async () => {
      const answer = await this.post<{ accessToken: string; refreshToken: string }>('/auth/refresh', {
        refreshToken: session.refreshToken,
      });
      if (answer.code !== 0) {
        if (answer.code === ResultCode.Unauthorized) this.store.clear();
        return false;
      }
      this.store.save({ ...session, accessToken: answer.data.accessToken, refreshToken: answer.data.refreshToken });
      return true;
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async post<T>(path: string, body: object, token?: string): Promise<ApiEnvelope<T>> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new CloudUnreachableError(`Cloud unreachable at ${this.baseUrl}: ${(error as Error).message}`);
    }
    const json: unknown = await response.json().catch(() => null);
    if (!isEnvelope(json)) throw new CloudUnreachableError(`Cloud at ${this.baseUrl} answered HTTP ${response.status} without an envelope`);
    return json as ApiEnvelope<T>;
  }
}
