import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import type { Account } from './factories';

export const SHOTS = join(__dirname, '..', '..', 'test-output', 'console');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, quiet (no background traffic), for the console's tests. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Signs `account` in on the console at `url` and waits for its first page (Windows, unless it may not list windows). */
export async function signInConsole(context: BrowserContext, url: string, account: Account, landing = 'Windows'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: landing }).waitFor();
  return page;
}

export const screenshot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** The first request to `pattern` is answered with `envelope` (as the cloud would answer it); the rest go through. */
export async function answerOnce(
  target: Pick<Page, 'route'>,
  pattern: string,
  envelope: { code: number; msg: string; data: unknown },
): Promise<void> {
  let answered = false;
  await target.route(pattern, async (route) => {
    if (answered) return route.continue();
    answered = true;
    await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(envelope) });
  });
}

/** The next console refresh is answered as the cloud answers it when it could not read who is signed in: without `me`. */
export async function refreshWithoutMe(context: BrowserContext): Promise<void> {
  let answered = false;
  await context.route('**/auth/console/refresh', async (route) => {
    if (answered) return route.continue();
    answered = true;
    const response = await route.fetch();
    const envelope = (await response.json()) as { data?: { me?: unknown } };
    delete envelope.data?.me;
    await route.fulfill({ response, json: envelope });
  });
}
