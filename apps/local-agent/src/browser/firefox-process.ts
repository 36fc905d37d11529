import { Browser as BrowserKind, createProfile } from '@puppeteer/browsers';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { Browser, ConnectionTransport, Cookie, CookieData } from 'puppeteer-core';
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

/**
 * Starts Firefox on a profile as its own process group, so it outlives an agent restart, with the
 * plan's preferences written to user.js and its log in `logPath`. Its BiDi endpoint is for the
 * agent's multiplexer alone, which serves the one session Firefox allows to every client.
 */
export async function startFirefox(options: {
  executablePath: string;
  profileDir: string;
  plan: LaunchPlan;
  headless: boolean;
  logPath: string;
}): Promise<StartedFirefox> {
  const { executablePath, profileDir, plan, headless, logPath } = options;
  await createProfile(BrowserKind.FIREFOX, { path: profileDir, preferences: plan.prefs });
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
      ...plan.args,
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
  if (!pid) throw new Error(`Firefox did not start (${executablePath})`);
  const deadline = Date.now() + START_TIMEOUT_MS;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    const match = LISTENING.exec(readFileSync(logPath, 'utf8'));
    // Firefox prints the server's address; WebDriver BiDi sessions live at /session on it.
    if (match) return { pid, wsEndpoint: `${match[1].replace(/\/$/, '')}/session`, port: Number(new URL(match[1]).port), exited };
    if (gone) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(pid, 'SIGKILL');
  const tail = readFileSync(logPath, 'utf8').split('\n').slice(-5).join(' | ');
  throw new Error(`Firefox did not open its WebDriver BiDi port (${tail})`);
}

/** The agent's setup through the multiplexer: the fingerprint extension and the stored cookies. */
export async function setUpBrowser(target: string | ConnectionTransport, extensionDir: string, cookies: StoredCookie[]): Promise<void> {
  const browser = await connect(target);
  try {
    await browser.installExtension(extensionDir);
    if (cookies.length > 0) {
      await browser.setCookie(...cookies.map(toBrowserCookie));
    }
  } finally {
    await browser.disconnect();
  }
}

/** Puppeteer names BiDi's SameSite values the CDP way; anything unnamed is "default". */
function sameSiteOf(value: string | undefined): StoredCookie['sameSite'] {
  const lower = value?.toLowerCase();
  return lower === 'strict' || lower === 'lax' || lower === 'none' ? lower : 'default';
}

/** A cookie the browser holds, as the cloud stores it. */
export function toStoredCookie(c: Cookie): StoredCookie {
  return {
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    secure: c.secure,
    httpOnly: c.httpOnly ?? false,
    sameSite: sameSiteOf(c.sameSite),
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

/**
 * Closes Firefox the clean way (through the agent's BiDi multiplexer: read cookies, then
 * browser.close), falling back to SIGTERM and, after `timeoutMs`, SIGKILL when the browser hangs.
 */
export async function stopFirefox(
  pid: number,
  target: string | ConnectionTransport,
  exited: Promise<void>,
  timeoutMs: number,
): Promise<StopResult> {
  let cookies: StoredCookie[] | null = null;
  const waitExit = (ms: number) =>
    Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  try {
    const browser = await Promise.race([
      connect(target),
      new Promise<never>((_, fail) => setTimeout(() => fail(new Error('connect timeout')), 5000).unref()),
    ]);
    cookies = (await browser.cookies()).map(toStoredCookie);
    await browser.close().catch(() => undefined);
    if (await waitExit(timeoutMs)) return { cookies, killed: false };
  } catch {
    // the session is taken (the user's automation) or the browser does not answer
  }
  if (isAlive(pid)) process.kill(pid, 'SIGTERM');
  if (await waitExit(timeoutMs)) return { cookies, killed: false };
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await waitExit(timeoutMs);
  return { cookies, killed: true };
}
