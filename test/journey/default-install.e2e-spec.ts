import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import type { Envelope } from '../support/cloud-app';
import { CloudProcess, spawnCloud } from '../support/cloud-process';
import { AgentProcess, spawnAgent } from '../support/agent-process';
import { ensureConsoleBuilt } from '../support/console-build';
import { attach } from '../support/firefox';
import { freePort } from '../support/proxies';
import { startTestSite, TestSite } from '../support/test-site';

jest.setTimeout(600_000);

/**
 * A person's days on the default install: the embedded database, the cloud as its own process,
 * one agent with a real Firefox, the console in a real browser. Every timeout the system has is set
 * short, and the person pauses longer than all of them, restarts the cloud, and comes back.
 */
const TIMEOUTS = {
  DATABASE_POOL_IDLE_SECONDS: '1',
  HTTP_KEEP_ALIVE_SECONDS: '1',
  WINDOW_LEASE_SECONDS: '3',
  ACCESS_TOKEN_TTL_SECONDS: '5',
};
const PAUSE_MS = Math.max(...Object.values(TIMEOUTS).map(Number)) * 1000 + 2000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the default install over a working day, a pause, a restart and the next day', () => {
  const cloudDir = mkdtempSync(join(tmpdir(), 'cos-journey-cloud-'));
  const agentDir = mkdtempSync(join(tmpdir(), 'cos-journey-agent-'));
  const person = { email: 'journey@example.com', password: 'journey-password-1', name: 'Journey' };
  let port: number;
  let cloud: CloudProcess;
  let agent: AgentProcess;
  let browser: Browser;
  let page: Page;
  let site: TestSite;
  let token: string;

  const startCloudProcess = () => spawnCloud({ port, env: { CLOUD_DATA_DIR: cloudDir, CONSOLE_DIR: ensureConsoleBuilt(), ...TIMEOUTS } });

  async function post<T = any>(path: string, body: unknown = {}, bearer?: string): Promise<Envelope<T>> {
    const res = await fetch(`${cloud.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Envelope<T>;
  }
  /**
   * POST as the person, the way a script that signed in once does: it holds its refresh token and,
   * when the access token has run out (none outlives a pause here), rotates the pair and calls again.
   */
  let refreshToken: string | undefined;
  async function call<T = any>(path: string, body: unknown = {}): Promise<Envelope<T>> {
    if (!refreshToken) {
      const answer = await post('/auth/login', { email: person.email, password: person.password });
      expect([answer.code, answer.msg]).toEqual([0, 'success']);
      [token, refreshToken] = [answer.data.accessToken, answer.data.refreshToken];
    }
    const first = await post<T>(path, body, token);
    if (first.code !== 401) return first;
    const rotated = await post('/auth/refresh', { refreshToken });
    expect([rotated.code, rotated.msg]).toEqual([0, 'success']);
    [token, refreshToken] = [rotated.data.accessToken, rotated.data.refreshToken];
    return post<T>(path, body, token);
  }
  const detail = async (uuid: string) => (await call('/browser/detail', { uuid })).data;

  /** Opens the window on the agent, visits `path` of the site, and answers the cookies its page sees. */
  async function openAndVisit(uuid: string, path: string): Promise<string[]> {
    const opened = await agent.post('/browser/open', { uuid });
    expect(opened.code).toBe(0);
    const firefox = await attach(opened.data.wsEndpoint);
    const tab = await firefox.newPage();
    await tab.goto(`${site.url}${path}`);
    if (path === '/') await tab.waitForFunction(() => (window as unknown as { stored?: boolean }).stored === true);
    const cookies = (await tab.evaluate(() => document.cookie)).split('; ').filter(Boolean).sort();
    await firefox.disconnect();
    return cookies;
  }
  async function close(uuid: string): Promise<{ version: number | null }> {
    const closed = await agent.post('/browser/close', { uuid });
    expect(closed).toMatchObject({ code: 0, data: { backendClose: { cookiesSynced: true } } });
    expect(closed.data.close.profileSync.pending).toBe(false);
    return { version: closed.data.close.profileSync.version };
  }

  /** The console, signed in, on its windows page; the same page is used all day. */
  async function consoleSignIn(): Promise<void> {
    await page.goto(`${cloud.url}/`);
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Windows' }).waitFor();
  }
  async function editRemarkInConsole(name: string, remark: string): Promise<void> {
    await page.getByRole('button', { name: `Edit ${name}`, exact: true }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Remark').fill(remark);
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: remark, exact: true }).waitFor();
  }

  beforeAll(async () => {
    port = await freePort();
    site = await startTestSite();
    cloud = await startCloudProcess();
    const registered = await post('/auth/register', person);
    expect([registered.code, registered.msg]).toEqual([0, 'success']);
    agent = await spawnAgent({ cloudUrl: cloud.url, dataDir: agentDir, email: person.email, password: person.password });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await agent?.post('/browser/close/all').catch(() => undefined);
    await agent?.kill();
    await cloud?.kill();
    await site?.close();
    rmSync(cloudDir, { recursive: true, force: true });
    rmSync(agentDir, { recursive: true, force: true });
  });

  it("creates the README quick start's window as its line is written", async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const line = /localhost:54345\/browser\/update[\s\S]*?-d '(\{"name":"shop 1".*\})'/.exec(readme);
    expect(line).not.toBeNull();
    const created = await agent.post('/browser/update', JSON.parse(line![1]));
    expect([created.code, created.msg]).toEqual([0, 'success']);
    expect(await call('/browser/delete', { uuid: created.data.uuid })).toMatchObject({ code: 0 });
  });

  it('keeps every window, cookie, edit and version through pauses, a cloud restart, an import and a rollback', async () => {
    // Day one: a window made in the console, opened on the desktop, a site signed in to.
    await consoleSignIn();
    await page.getByRole('button', { name: 'New window' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Journey shop');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'Journey shop', exact: true }).waitFor();
    const listed = await call('/browser/list', { page: 0, pageSize: 10 });
    expect(listed.data.list.map((w: { name: string }) => w.name)).toEqual(['Journey shop']);
    const uuid: string = listed.data.list[0].uuid;

    const dayOne = await openAndVisit(uuid, '/');
    expect(dayOne).toEqual(['js_cookie=from-script', 'session_cookie=for-this-session']);

    // The person walks away with the window open, longer than every timeout; the lease holds.
    await pause(PAUSE_MS);
    expect(await detail(uuid)).toMatchObject({ openStatus: 'opened' });
    // The console's token ran out meanwhile: the edit still lands, and nothing else changed.
    await editRemarkInConsole('Journey shop', 'edited after a pause');
    expect(await detail(uuid)).toMatchObject({ remark: 'edited after a pause', openStatus: 'opened', proxyMethod: 2 });
    const first = await close(uuid);
    expect(first.version).toBe(1);

    // The cloud restarts (an update, a reboot); the agent and the console carry on.
    await cloud.kill();
    await pause(PAUSE_MS);
    cloud = await startCloudProcess();
    expect(await fetch(`${cloud.url}/health`).then((r) => r.json())).toMatchObject({ data: { status: 'ok', database: 'embedded' } });
    await page.reload();
    await page
      .getByRole('cell', { name: 'edited after a pause', exact: true })
      .or(page.getByRole('button', { name: 'Sign in' }))
      .first()
      .waitFor();
    if (await page.getByRole('button', { name: 'Sign in' }).count()) await consoleSignIn();
    await page.getByRole('cell', { name: 'edited after a pause', exact: true }).waitFor();

    // Day two: the site still knows the window (the persistent cookies are back), and sets one more.
    const dayTwo = await openAndVisit(uuid, '/plain');
    // Session cookies are kept with the window (a sign-in survives the close); the HttpOnly one is unseen by scripts.
    expect(dayTwo).toEqual(dayOne);
    const held = (await call('/browser/cookies/export', { uuid })).data.cookies as { name: string }[];
    expect(held.map((c) => c.name).sort()).toEqual(['js_cookie', 'server_cookie', 'session_cookie']);
    await close(uuid);

    // An import that replaces the cookies: the next open has only those.
    const imported = await call('/browser/cookies/import', {
      uuid,
      mode: 'replace',
      cookies: [{ name: 'imported', value: 'x', domain: '127.0.0.1', path: '/', secure: false, httpOnly: false, sameSite: 'lax' }],
    });
    expect(imported).toMatchObject({ code: 0, data: { mode: 'replace', total: 1 } });
    expect(await openAndVisit(uuid, '/plain')).toEqual(['imported=x']);
    const third = await close(uuid);
    expect(third.version).toBeGreaterThan(first.version!);

    // Rolled back in the console to the first day's version: the next open has the first day's cookies.
    await page.getByRole('button', { name: 'Journey shop', exact: true }).click();
    await page.getByRole('button', { name: 'Restore an earlier version…' }).click();
    const versions = page.getByRole('dialog');
    await versions.getByRole('button', { name: 'Restore 1', exact: true }).click();
    // Asked first, naming what will happen; then done.
    await page.getByRole('alertdialog').getByRole('button', { name: 'Restore version 1', exact: true }).click();
    // A restore is a new version made from the old one: history moves forward, nothing is dropped.
    await versions.getByText(/\(current\).*restored from 1/).waitFor();
    const afterRestore = (await call('/browser/profile/versions', { uuid })).data;
    expect(afterRestore.current).toBe(third.version! + 1);
    expect(afterRestore.list.find((v: { version: number }) => v.version === afterRestore.current)).toMatchObject({ restoredFrom: 1 });
    expect(await openAndVisit(uuid, '/plain')).toEqual(dayOne);
    await close(uuid);
    const restored = (await call('/browser/cookies/export', { uuid })).data.cookies as { name: string }[];
    expect(restored.map((c) => c.name).sort()).toEqual(['js_cookie', 'server_cookie', 'session_cookie']);

    // Nothing was lost: the window, its edit and every version are there; the cloud stayed healthy.
    expect(await detail(uuid)).toMatchObject({ name: 'Journey shop', remark: 'edited after a pause', openStatus: 'closed' });
    const history = (await call('/browser/profile/versions', { uuid })).data.list as { version: number }[];
    expect(history.map((v) => v.version)).toContain(third.version);
    expect(cloud.output()).not.toMatch(/ERROR|Internal error/);
  });
});
