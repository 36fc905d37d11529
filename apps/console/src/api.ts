import type { MeResponse } from '@cos/contracts';
import { NO_CONSOLE_SESSION } from '@cos/contracts/account';
/** The cloud's answers: `{code, msg, data}`; anything but 0 is an error with the cloud's words. */
export interface Envelope<T> {
  code: number;
  msg: string;
  data: T;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** The access token lives here, in memory only; the refresh token is an httpOnly cookie the page never sees. */
let accessToken: string | null = null;
/** How a refresh ended: a new token, the cloud refusing the cookie (401), or no answer to go by (unreachable, busy). */
export type Renewal = 'renewed' | 'refused' | 'failed';
let refreshing: Promise<Renewal> | null = null;
/** Who the last refresh said is signed in (the console's refresh answers it), until `refreshedMe` reads it. */
let refreshedAs: MeResponse | null = null;
/** Why the cloud ended the session this browser had (revoked, expired, its cookie replayed), until the sign-in page says so. */
let endedWhy: string | null = null;
let onSignedOut: () => void = () => undefined;
/**
 * Calls made before the page that needs them is drawn (the first page of windows), and their
 * answers once come. They belong to the session that made them: another sign-in drops them.
 */
const early = new Map<string, { answer: Promise<unknown>; arrived?: { data: unknown } }>();

/** Which session this page is in: a refresh or call answered for an earlier one changes nothing. */
let session = 0;

/** Another session (signed in, out, or as someone else): the token, and nothing asked for by the last one. */
function startSession(token: string | null): void {
  session++;
  endedInAnotherTab = null;
  accessToken = token;
  refreshedAs = null;
  early.clear();
}

/**
 * Once a refresh on its way has come back: a sign-in or sign-out that follows then carries the
 * cookie it brought, so a sign-out ends the rotated session rather than one the cookie no longer names.
 */
const refreshSettled = (): Promise<unknown> => refreshing ?? Promise.resolve();

export function setSignedOutHandler(handler: () => void): void {
  onSignedOut = handler;
}

export function token(): string | null {
  return accessToken;
}

/** Which session this page is in now: `endSession` ends it only if no other began since. */
export function currentSession(): number {
  return session;
}

/** Told for a call that never reached the cloud, or whose answer never came: the browser's own words say nothing to a user. */
const UNREACHABLE = 'the cloud cannot be reached; try again once it answers';
const RENEWAL_FAILED = 'the session could not be renewed just now (the cloud did not answer): try again';
const SESSION_LEFT = 'this answer came for a session that has since ended on this page';

/**
 * How long a refresh may take before it counts as unanswered: it holds the cross-tab lock, and
 * every call, sign-out and stream of the page waits for it.
 */
const REFRESH_TIMEOUT_MS = 10_000;

async function send<T>(path: string, body: unknown, withToken: boolean, timeoutMs?: number): Promise<Envelope<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', ...(withToken && accessToken ? { Authorization: `Bearer ${accessToken}` } : {}) },
      body: JSON.stringify(body ?? {}),
      ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
  } catch {
    throw new ApiError(0, UNREACHABLE);
  }
  const answer = (await response.json().catch(() => null)) as Envelope<T> | null;
  // A proxy's error page, or an answer cut off: not the cloud's words.
  if (typeof answer?.code !== 'number') throw new ApiError(0, `the cloud answered HTTP ${response.status} without its answer; try again`);
  return answer;
}

/** A new access token from the refresh cookie; concurrent callers share one refresh (the cookie rotates). */
export function refresh(): Promise<boolean> {
  return renew().then((renewal) => renewal === 'renewed');
}

/** A refresh, told apart: renewed, refused by the cloud, or unanswered. */
export function renew(): Promise<Renewal> {
  if (refreshing) return refreshing;
  const mine = session;
  refreshing = oneTabAtATime(() => send<{ accessToken: string; me?: MeResponse }>('/auth/console/refresh', {}, false, REFRESH_TIMEOUT_MS))
    .then((answer): Renewal => {
      refreshedAs = null;
      // Signed in or out since it was asked for: the answer belongs to a session this page left.
      if (mine !== session) return 'refused';
      const next = answer.code === 0 ? answer.data.accessToken : null;
      const why = answer.code === 401 ? whyEnded(answer.msg, accessToken !== null) : null;
      if (why !== null) endedWhy = why;
      // The cookie is the browser's: another tab signed in as someone else since this page signed in.
      // This page signs out rather than go on (or retry a change) in their name.
      if (next !== null && accessToken !== null && userOf(next) !== userOf(accessToken)) {
        endSession(mine);
        return 'refused';
      }
      accessToken = next;
      refreshedAs = next !== null ? (answer.data.me ?? null) : null;
      return next !== null ? 'renewed' : answer.code === 401 ? 'refused' : 'failed';
    })
    .catch((): Renewal => 'failed')
    .finally(() => (refreshing = null));
  return refreshing;
}

/**
 * The tabs of this console: the one the cloud told why the session ended (the cookie went with
 * that answer) tells the others, whose own refresh then finds no session at all.
 */
const tabs = typeof BroadcastChannel === 'function' ? new BroadcastChannel('cos-console-session') : null;
let endedInAnotherTab: string | null = null;
tabs?.addEventListener('message', (event: MessageEvent<unknown>) => {
  const why = (event.data as { endedWhy?: unknown } | null)?.endedWhy;
  if (typeof why === 'string') endedInAnotherTab = why.slice(0, 300);
});

/** What the sign-in page will say of a refused refresh; null for a browser that simply had no session. */
function whyEnded(msg: string, hadSession: boolean): string | null {
  if (msg !== NO_CONSOLE_SESSION) {
    tabs?.postMessage({ endedWhy: msg });
    return msg;
  }
  return hadSession ? (endedInAnotherTab ?? 'this browser was signed out in another tab or window') : null;
}

/** The cloud refused this page's session for good: signed out, unless another session began since `mine` was asked for. */
export function endSession(mine: number): void {
  if (mine !== session) return;
  startSession(null);
  onSignedOut();
}

/** Why this browser's session was ended, once (null when it simply had none): the sign-in page says it. */
export function sessionEndedWhy(): string | null {
  const why = endedWhy;
  endedWhy = null;
  return why;
}

/** Who the last refresh signed in, once (null when it did not say): the page is drawn without asking /auth/me. */
export function refreshedMe(): MeResponse | null {
  const me = refreshedAs;
  refreshedAs = null;
  return me;
}

/** The user an access token names (its `sub`); undefined for a token that is not a JWT. */
function userOf(token: string): unknown {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return (JSON.parse(atob(payload)) as { sub?: unknown }).sub;
  } catch {
    return undefined;
  }
}

/**
 * Runs a refresh while no other tab of this console runs one: the cookie rotates, and the next tab
 * then sends the rotated one. A page without Web Locks (plain http other than localhost) runs it
 * at once; tabs sending one cookie together are answered the same new one within the cloud's grace.
 */
function oneTabAtATime<T>(call: () => Promise<T>): Promise<T> {
  return 'locks' in navigator ? (navigator.locks.request('cos-console-refresh', call) as Promise<T>) : call();
}

/** POST as the signed-in user; an expired access token is refreshed once. */
export async function api<T = Record<string, unknown>>(path: string, body: unknown = {}): Promise<T> {
  const mine = session;
  let answer = await send<T>(path, body, true);
  if (answer.code === 401) {
    const renewal = await renew();
    if (renewal === 'renewed') answer = await send<T>(path, body, true);
    // Not refused, only unanswered (unreachable, busy): still signed in, and the call can be made again.
    else if (renewal === 'failed') throw new ApiError(0, RENEWAL_FAILED);
  }
  // Signed out, or in as someone else, while it was on its way: the answer is not this session's.
  if (mine !== session) throw new ApiError(0, SESSION_LEFT);
  if (answer.code === 401) endSession(mine);
  if (answer.code !== 0) throw new ApiError(answer.code, answer.msg);
  return answer.data;
}

export function prefetch(path: string, body: unknown): void {
  const call: { answer: Promise<unknown>; arrived?: { data: unknown } } = { answer: api(path, body) };
  call.answer.then(
    (data) => (call.arrived = { data }),
    () => undefined,
  );
  early.set(path + JSON.stringify(body), call);
}

/** The answer of the call `prefetch` made with this path and body, once; null when none was made. */
export function takePrefetched<T>(path: string, body: unknown): Promise<T> | null {
  const key = path + JSON.stringify(body);
  const call = early.get(key);
  early.delete(key);
  return (call?.answer as Promise<T> | undefined) ?? null;
}

/** Like `takePrefetched`, but only an answer already here: a page drawn with it needs no second render. */
export function takeArrived<T>(path: string, body: unknown): T | undefined {
  const key = path + JSON.stringify(body);
  const arrived = early.get(key)?.arrived;
  if (arrived) early.delete(key);
  return arrived?.data as T | undefined;
}

/** An image the cloud serves by GET (a run screenshot), fetched with the token; null when it is not there. */
export async function image(path: string): Promise<Blob | null> {
  const get = () => fetch(path, { credentials: 'same-origin', headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {} });
  let response = await get();
  if (response.status === 401 && (await refresh())) response = await get();
  if (!response.ok || response.headers.get('content-type') !== 'image/png') return null;
  return response.blob();
}

export async function signIn(email: string, password: string): Promise<void> {
  await refreshSettled();
  const answer = await send<{ accessToken: string }>('/auth/console/login', { email, password }, false);
  if (answer.code !== 0) throw new ApiError(answer.code, answer.msg);
  startSession(answer.data.accessToken);
}

/** A new team with its owner (when the cloud takes new teams), then signed in as `signIn` leaves one. */
export async function register(email: string, password: string, teamName: string): Promise<void> {
  const answer = await send('/auth/register', { email, password, ...(teamName.trim() ? { teamName: teamName.trim() } : {}) }, false);
  if (answer.code === 403) throw new ApiError(403, "This cloud takes no new teams: ask your team's owner for an invitation link.");
  if (answer.code !== 0) throw new ApiError(answer.code, answer.msg);
  await signIn(email, password);
}

/** What an invitation link invites to; the cloud answers one message for any link that no longer works. */
export async function checkInvitation(token: string): Promise<{ email: string; teamName: string; role: string; expiresAt: string }> {
  const answer = await send<{ email: string; teamName: string; role: string; expiresAt: string }>('/auth/invite/check', { token }, false);
  if (answer.code !== 0) throw new ApiError(answer.code, answer.msg);
  return answer.data;
}

/** Accepts an invitation with the new member's password; signed in as `signIn` leaves one. */
export async function acceptInvitation(token: string, password: string): Promise<void> {
  await refreshSettled();
  const answer = await send<{ accessToken: string }>('/auth/invite/accept', { token, password }, false);
  if (answer.code !== 0) throw new ApiError(answer.code, answer.msg);
  startSession(answer.data.accessToken);
}

/** Ends this console's session; refused, and still signed in, when the cloud could not be told. */
export async function signOut(): Promise<void> {
  await refreshSettled();
  const answer = await send('/auth/console/logout', {}, false).catch(() => null);
  if (!answer) throw new ApiError(0, 'the cloud could not be reached, so this session is still signed in: try again');
  if (answer.code !== 0) throw new ApiError(answer.code, answer.msg);
  startSession(null);
}
