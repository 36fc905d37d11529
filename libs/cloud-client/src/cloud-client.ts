import { ApiEnvelope, isEnvelope, ResultCode, UnauthorizedError } from '@cos/contracts';

/** How the agent is signed in: a login (access + refresh token) or a personal API token. */
export interface CloudSession {
  kind: 'password' | 'api-token';
  accessToken: string;
  refreshToken?: string;
  email?: string;
  userId?: number;
  teamId?: number;
  /** The device id the cloud issued to this session or token: what the cloud knows this machine's leases and commits by. */
  deviceId?: string;
}

export interface SessionStore {
  load(): CloudSession | null;
  save(session: CloudSession): void;
  clear(): void;
}

export class CloudUnreachableError extends Error {}

/** Cloud answers that the same request will never change: retrying it is pointless. */
export function isFinalRefusal(code: number): boolean {
  return code === ResultCode.InvalidParam || code === ResultCode.Forbidden || code === ResultCode.NotFound || code === ResultCode.Conflict;
}

/** How long the client waits for the cloud. */
export interface CloudTimeouts {
  /** One JSON call. */
  callMs: number;
  /** A blob on its way, up or down: generous, a profile file can be large and a link slow. */
  transferMs: number;
}

export const DEFAULT_CLOUD_TIMEOUTS: CloudTimeouts = { callMs: 30_000, transferMs: 15 * 60_000 };

export type Download = { ok: true; body: ReadableStream<Uint8Array>; size: number } | { ok: false; answer: ApiEnvelope<unknown> };

/**
 * The cloud as the agent sees it: POST with the session's Bearer token, one transparent refresh
 * (rotating the stored refresh token) when an access token has expired.
 */
export class CloudClient {
  private refreshing: Promise<boolean> | null = null;

  constructor(
    readonly baseUrl: string,
    private readonly store: SessionStore,
    private readonly timeouts: CloudTimeouts = DEFAULT_CLOUD_TIMEOUTS,
  ) {}

  get loggedIn(): boolean {
    return this.store.load() !== null;
  }

  session(): CloudSession | null {
    return this.store.load();
  }

  /**
   * Calls a cloud endpoint as the signed-in user; the envelope comes back as the cloud sent it.
   * `timeoutMs` shortens the wait for a caller with a bound of its own (an answer due to a user);
   * `signal` ends it early (a long-poll of a stopping agent).
   */
  async call<T = Record<string, unknown>>(
    path: string,
    body: object = {},
    timeoutMs?: number,
    signal?: AbortSignal,
  ): Promise<ApiEnvelope<T>> {
    return this.withSession((token) => this.post<T>(path, body, token, timeoutMs, signal));
  }

  /**
   * Streams a body (`application/octet-stream`, PUT) as the signed-in user; `body` is opened again
   * after a refresh. `size` is the bytes sent (compressed ones with `encoding: 'gzip'`).
   */
  async upload<T = Record<string, unknown>>(
    path: string,
    body: () => ReadableStream<Uint8Array>,
    size: number,
    encoding?: 'gzip',
  ): Promise<ApiEnvelope<T>> {
    return this.withSession(async (token) => {
      const response = await this.fetch(path, {
        method: 'PUT',
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(size),
          Authorization: `Bearer ${token}`,
          ...(encoding ? { 'Content-Encoding': encoding } : {}),
        },
        body: body(),
        duplex: 'half',
        signal: AbortSignal.timeout(this.timeouts.transferMs),
      } as RequestInit);
      return this.envelope<T>(response);
    });
  }

  /** GETs a stream as the signed-in user; a refusal comes back as the cloud's envelope. */
  async download(path: string): Promise<Download> {
    let download: Download | null = null;
    await this.withSession(async (token) => {
      const response = await this.fetch(path, {
        headers: { Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(this.timeouts.transferMs),
      });
      if ((response.headers.get('content-type') ?? '').startsWith('application/octet-stream') && response.body) {
        download = { ok: true, body: response.body, size: Number(response.headers.get('content-length') ?? -1) };
        return { code: 0, msg: 'success', data: {} };
      }
      const answer = await this.envelope<unknown>(response);
      download = { ok: false, answer };
      return answer;
    });
    return download!;
  }

  /** Runs `request` with the access token, again after a refresh when the token had expired. */
  private async withSession<T>(request: (token: string) => Promise<ApiEnvelope<T>>): Promise<ApiEnvelope<T>> {
    const session = this.store.load();
    if (!session) throw new UnauthorizedError('Agent not logged in');
    let tried = session;
    let answer = await request(tried.accessToken);
    // Twice at most: a call that went on with a pair another call rotated may find that pair's
    // access token run out too (a slow answer, a short lifetime); it refreshes that pair then.
    for (let round = 0; round < 2 && answer.code === ResultCode.Unauthorized && tried.kind === 'password'; round++) {
      if (!(await this.refresh(tried))) break;
      const next = this.store.load();
      if (!next) break;
      tried = next;
      answer = await request(tried.accessToken);
    }
    return answer;
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(new URL(path, this.baseUrl), init);
    } catch (error) {
      throw new CloudUnreachableError(`Cloud unreachable at ${this.baseUrl}: ${(error as Error).message}`);
    }
  }

  private async envelope<T>(response: Response): Promise<ApiEnvelope<T>> {
    const json: unknown = await response.json().catch(() => null);
    if (!isEnvelope(json)) throw new CloudUnreachableError(`Cloud at ${this.baseUrl} answered HTTP ${response.status} without an envelope`);
    return json as ApiEnvelope<T>;
  }

  /** Signs in; a device the cloud issued to this machine's earlier session goes on, with its window leases. */
  async login(email: string, password: string): Promise<CloudSession> {
    const earlier = this.store.load()?.deviceId;
    const answer = await this.post<{ accessToken: string; refreshToken: string; deviceId: string; user: { id: number; teamId: number } }>(
      '/auth/login',
      { email, password, ...(earlier ? { deviceId: earlier } : {}) },
    );
    if (answer.code !== 0) throw new UnauthorizedError(answer.msg);
    const session: CloudSession = {
      kind: 'password',
      accessToken: answer.data.accessToken,
      refreshToken: answer.data.refreshToken,
      email,
      userId: answer.data.user.id,
      teamId: answer.data.user.teamId,
      deviceId: answer.data.deviceId,
    };
    this.store.save(session);
    return session;
  }

  async useApiToken(token: string): Promise<CloudSession> {
    const me = await this.post<{ deviceId: string; user: { id: number; email: string; teamId: number } }>('/auth/me', {}, token);
    if (me.code !== 0) throw new UnauthorizedError(me.msg);
    const session: CloudSession = {
      kind: 'api-token',
      accessToken: token,
      email: me.data.user.email,
      userId: me.data.user.id,
      teamId: me.data.user.teamId,
      deviceId: me.data.deviceId,
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
    // Concurrent calls share one refresh: a refresh token works once. A call whose 401 comes back
    // after another call already rotated the pair goes on with the stored one; spending the old
    // refresh token again would end the whole session.
    const current = this.store.load();
    if (!this.refreshing && current?.kind === 'password' && current.refreshToken !== session.refreshToken) return Promise.resolve(true);
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

  private async post<T>(
    path: string,
    body: object,
    token?: string,
    timeoutMs = this.timeouts.callMs,
    signal?: AbortSignal,
  ): Promise<ApiEnvelope<T>> {
    const timeout = AbortSignal.timeout(Math.max(1, Math.min(timeoutMs, this.timeouts.callMs)));
    const response = await this.fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    });
    return this.envelope<T>(response);
  }
}
