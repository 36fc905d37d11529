import { Browser as BrowserKind, createProfile } from '@puppeteer/browsers';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { Browser, ConnectionTransport, Cookie, CookieData } from 'puppeteer-core';
import { DomainError, parseSameSite, ResultCode } from '@cos/contracts';
import type { StoredCookie } from '@cos/contracts';
import { LaunchPlan } from './launch-plan';

const LISTENING = /WebDriver BiDi listening on (ws:\/\/[^\s]+)/;
const START_TIMEOUT_MS = 30_000;

export interface StartedFirefox {
  pid: number;
  wsEndpoint: string;
  port: number;
  /** Resolves when the process ends, for whatever reason. */
  exited: Promise<void>;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Resolves when `pid` has ended; used for a Firefox this process did not start (adopted after a restart). */
export function whenGone(pid: number, intervalMs = 500): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (!isAlive(pid)) {
        clearInterval(timer);
        resolve();
      }
    }, intervalMs);
    timer.unref();
  });
}

/** Puppeteer on a window: a WebSocket endpoint, or a multiplexer's in-process transport. */
export async function connect(target: string | ConnectionTransport): Promise<Browser> {
  return puppeteer.connect({
    ...(typeof target === 'string' ? { browserWSEndpoint: target } : { transport: target }),
    protocol: 'webDriverBiDi',
    defaultViewport: null,
  });
}

/** Whether `pid` is a Firefox running on `profileDir` (a recorded pid may since belong to another program). */
export function isFirefoxOn(pid: number, profileDir: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(profileDir);
  } catch {
    // No /proc to ask: the pid alone tells.
    return true;
  }
}

/** Firefox ended before it opened its WebDriver BiDi port. */
export class FirefoxStartError extends DomainError {
  constructor(detail: string) {
    super(ResultCode.Unavailable, `Firefox did not open its WebDriver BiDi port (${detail})`);
  }
}

/** Resolves with the WebDriver BiDi address Firefox prints to its log, as soon as it is written. */
function listeningAddress(logPath: string, exited: Promise<void>): Promise<string | null> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: string | null) => {
      if (done) return;
      done = true;
      watcher.close();
      clearInterval(poll);
      clearTimeout(timer);
      resolve(value);
    };
    const look = () => {
      if (done) return;
      let log = '';
      try {
        log = readFileSync(logPath, 'utf8');
      } catch {
        // removed with its window: nothing to read
      }
      const match = LISTENING.exec(log);
      if (match) finish(match[1]);
    };
    // The agent must be the first to ask for the session: it reads the address the moment it is written.
    const watcher = watch(logPath, look);
    const poll = setInterval(look, 100);
    const timer = setTimeout(() => finish(null), START_TIMEOUT_MS);
    void exited.then(() => {
      look();
      finish(null);
    });
    look();
  });
}

/**
 * Starts Firefox on a profile as its own process group, with the plan's preferences written to
 * user.js and its log in `logPath`; `onSpawn` learns its pid before anything can fail, so a
 * restarted agent finds it whatever happens next. Its BiDi endpoint is for the agent's
 * multiplexer alone, which serves the one session Firefox allows to every client.
 */
export async function startFirefox(options: {
  executablePath: string;
  profileDir: string;
  // What starting Firefox takes of the plan; the page script and identity go in through the extension.
  plan: Pick<LaunchPlan, 'prefs' | 'env' | 'windowSize'>;
  headless: boolean;
  logPath: string;
  onSpawn: (pid: number) => void;
}): Promise<StartedFirefox> {
  const { executablePath, profileDir, plan, headless, logPath } = options;
  await createProfile(BrowserKind.FIREFOX, { path: profileDir, preferences: plan.prefs });
  writeWindowSize(profileDir, plan.windowSize);
  mkdirSync(join(logPath, '..'), { recursive: true });
  writeFileSync(logPath, '');
  const log = openSync(logPath, 'a');
  const child = spawn(
    executablePath,
    [
      '--remote-debugging-port=0',
      '--profile',
      profileDir,
      '--no-remote',
      '--foreground',
      ...(headless ? ['--headless'] : []),
      'about:blank',
    ],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...plan.env, MOZ_CRASHREPORTER_DISABLE: '1', MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
    },
  );
  closeSync(log);
  child.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (!pid) throw new FirefoxStartError(`${executablePath} could not be started`);
  options.onSpawn(pid);
  const address = await listeningAddress(logPath, exited);
  // Firefox prints the server's address; WebDriver BiDi sessions live at /session on it.
  if (address) return { pid, wsEndpoint: `${address.replace(/\/$/, '')}/session`, port: Number(new URL(address).port), exited };
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  const tail = readFileSync(logPath, 'utf8').split('\n').slice(-5).join(' | ');
  throw new FirefoxStartError(tail);
}

/** Firefox sizes its first window from the profile's xulstore.json, as it left it last time. */
function writeWindowSize(profileDir: string, size: LaunchPlan['windowSize']): void {
  const window = { screenX: '0', screenY: '0', width: String(size.width), height: String(size.height), sizemode: 'normal' };
  writeFileSync(join(profileDir, 'xulstore.json'), JSON.stringify({ 'chrome://browser/content/browser.xhtml': { 'main-window': window } }));
}

const COOKIES_PER_CALL = 500;

/** The agent's setup through the multiplexer: the fingerprint extension and the stored cookies. */
export async function setUpBrowser(target: string | ConnectionTransport, extensionDir: string, cookies: StoredCookie[]): Promise<void> {
  const browser = await connect(target);
  try {
    await browser.installExtension(extensionDir);
    // In slices: puppeteer sends one command per cookie at once, and the multiplexer bounds a
    // client's unanswered commands (1,000), so a window with 5,000 stored cookies failed to open.
    for (let i = 0; i < cookies.length; i += COOKIES_PER_CALL) {
      await browser.setCookie(...cookies.slice(i, i + COOKIES_PER_CALL).map(toBrowserCookie));
    }
  } finally {
    await browser.disconnect();
  }
}

/** Puppeteer names BiDi's SameSite values the CDP way; anything unnamed is "default". */
/** A cookie the browser holds, as the cloud stores it. */
export function toStoredCookie(c: Cookie): StoredCookie {
  return {
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    secure: c.secure,
    httpOnly: c.httpOnly ?? false,
    sameSite: parseSameSite(c.sameSite) ?? 'default',
    ...(c.expires > 0 ? { expiry: Math.floor(c.expires) } : {}),
  };
}

/** A stored cookie as puppeteer sets it in the browser. */
export function toBrowserCookie(c: StoredCookie): CookieData {
  return {
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    secure: c.secure,
    httpOnly: c.httpOnly,
    // Left out, puppeteer sends BiDi's "default": the browser's own rule, as when the site set it.
    ...(c.sameSite !== 'default' ? { sameSite: (c.sameSite[0].toUpperCase() + c.sameSite.slice(1)) as 'Strict' | 'Lax' | 'None' } : {}),
    ...(c.expiry !== undefined ? { expires: c.expiry } : {}),
  };
}

export interface StopResult {
  /** The browser's cookies read over BiDi before it closed, when a session could be had. */
  cookies: StoredCookie[] | null;
  killed: boolean;
}

/** Ends Firefox without BiDi: SIGTERM (Firefox shuts down cleanly, writing its profile), SIGKILL after `timeoutMs`. */
export async function terminateFirefox(pid: number, exited: Promise<void>, timeoutMs: number): Promise<boolean> {
  const waitExit = (ms: number) =>
    Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  const signal = (name: NodeJS.Signals) => {
    try {
      if (isAlive(pid)) process.kill(pid, name);
    } catch {
      // ended meanwhile
    }
  };
  signal('SIGTERM');
  if (await waitExit(timeoutMs)) return false;
  signal('SIGKILL');
  await waitExit(timeoutMs);
  return true;
}

/**
 * Closes Firefox the clean way (through the agent's BiDi multiplexer: read cookies, then
 * browser.close), falling back to SIGTERM and, after `timeoutMs`, SIGKILL when the browser hangs
 * or the agent holds no session for it (`target` null).
 */
export async function stopFirefox(
  pid: number,
  target: ConnectionTransport | null,
  exited: Promise<void>,
  timeoutMs: number,
): Promise<StopResult> {
  let cookies: StoredCookie[] | null = null;
  if (target) {
    try {
      const browser = await Promise.race([
        connect(target),
        new Promise<never>((_, fail) => setTimeout(() => fail(new Error('connect timeout')), 5000).unref()),
      ]);
      cookies = (await browser.cookies()).map(toStoredCookie);
      await browser.close().catch(() => undefined);
      const ended = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref()),
      ]);
      if (ended) return { cookies, killed: false };
    } catch {
      // the browser does not answer
    }
  }
  return { cookies, killed: await terminateFirefox(pid, exited, timeoutMs) };
}
