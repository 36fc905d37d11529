import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser, Page } from 'playwright-core';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { ensureConsoleBuilt } from '../support/console-build';
import { launchChromium, signInConsole } from '../support/console-browser';
import { Account, registerOwner } from '../support/factories';
import { startHttpProxy, TestHttpProxy } from '../support/proxies';

jest.setTimeout(180_000);

const AUTH = { username: 'team-user', password: 'team-secret' };

/**
 * Saved proxies as an operator keeps them: added (the form empties for the next), checked (a failure
 * says why, in the status line and in the row), edited without typing the password again.
 */
describe('the console keeps saved proxies', () => {
  let cloud: CloudHarness;
  let browser: Browser;
  let owner: Account;
  let page: Page;
  let upstream: TestHttpProxy;
  let lookup: Server;

  beforeAll(async () => {
    lookup = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ status: 'success', query: '198.51.100.20', countryCode: 'FR', timezone: 'Europe/Paris' }));
    });
    await new Promise<void>((resolve) => lookup.listen(0, '127.0.0.1', resolve));
    const ipCheck = `http://127.0.0.1:${(lookup.address() as AddressInfo).port}/json`;
    upstream = await startHttpProxy({ auth: AUTH });
    cloud = await startCloud({
      listen: true,
      env: { CONSOLE_DIR: ensureConsoleBuilt(), IP_CHECK_URL: ipCheck, PROXY_CHECK_TIMEOUT_MS: '3000' },
    });
    owner = await registerOwner(cloud);
    browser = await launchChromium();
    page = await signInConsole(await browser.newContext({ viewport: { width: 1280, height: 800 } }), cloud.url, owner);
    await page.getByRole('link', { name: 'Proxies' }).click();
  });
  afterAll(async () => {
    await browser?.close();
    await cloud.close();
    await upstream.close();
    lookup.close();
  });

  const status = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text }).waitFor();
  const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });

  async function add(name: string, port: number, credentials?: typeof AUTH): Promise<void> {
    const form = page.getByRole('form', { name: 'Add a proxy' });
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByLabel('Host').fill('127.0.0.1');
    await form.getByLabel('Port').fill(String(port));
    if (credentials) {
      await form.getByLabel('User name').fill(credentials.username);
      await form.getByLabel('Password').fill(credentials.password);
    }
    await form.getByRole('button', { name: 'Add proxy' }).click();
    await status(`Added proxy ${name}`);
  }

  it('adds a proxy, empties the form for the next, and says it was not checked yet', async () => {
    await add('Office', upstream.port, AUTH);
    const form = page.getByRole('form', { name: 'Add a proxy' });
    for (const label of ['Name', 'Host', 'Port', 'User name', 'Password'])
      expect(await form.getByLabel(label, { exact: true }).inputValue()).toBe('');
    await row('Office').getByText('Not checked yet').waitFor();
    expect(await row('Office').textContent()).not.toMatch(/failed/i);
  });

  it('a check that goes through names the exit; one that fails says why, in the status line and in the row', async () => {
    await page.getByRole('button', { name: 'Check Office', exact: true }).click();
    await status(/^Check Office: works, exit 198\.51\.100\.20, FR, Europe\/Paris in \d+ ms/);
    await row('Office').getByText('198.51.100.20, FR, Europe/Paris').waitFor();

    await add('Closed port', 1);
    await page.getByRole('button', { name: 'Check Closed port', exact: true }).click();
    await status(/^Check Closed port failed: .*refused/i);
    const failed = row('Closed port');
    await failed.getByText('Failed', { exact: true }).waitFor();
    expect(await failed.textContent()).toMatch(/Failed.*refused/i);
  });

  it('edits a proxy; the password left empty is kept, so the renamed proxy still gets through', async () => {
    await page.getByRole('button', { name: 'Edit Office', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit proxy Office' });
    expect(await dialog.getByLabel('Password').inputValue()).toBe('');
    await dialog.getByLabel('Name', { exact: true }).fill('Office Paris');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await status('Saved proxy Office Paris');
    await row('Office Paris').getByText('Saved', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Check Office Paris', exact: true }).click();
    await status(/^Check Office Paris: works/);
    const saved = (await cloud.post('/proxy/list', {}, owner.token)).data.list as { name: string; hasProxyPassword: boolean }[];
    expect(saved.find((p) => p.name === 'Office Paris')).toMatchObject({ hasProxyPassword: true });
  });

  it('moving a proxy with a saved password says before saving that the password goes unless typed again', async () => {
    await page.getByRole('button', { name: 'Edit Office Paris', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit proxy Office Paris' });
    const warning = dialog.getByText('The saved password is dropped when the type, host or port changes, unless you type it again.');
    expect(await warning.count()).toBe(0);
    const port = dialog.getByLabel('Port');
    const before = await port.inputValue();
    await port.fill('1');
    await warning.waitFor();
    expect(await dialog.getByLabel('Password').getAttribute('placeholder')).toBe('dropped on save; type it again to keep one');
    await dialog.getByLabel('Password').fill('typed again');
    await warning.waitFor({ state: 'detached' });
    await dialog.getByLabel('Password').fill('');
    await port.fill(before);
    await warning.waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('an edit the cloud refuses stays open and says why; nothing changes', async () => {
    await page.getByRole('button', { name: 'Edit Closed port', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit proxy Closed port' });
    await dialog.getByLabel('Name', { exact: true }).fill('Office Paris');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog
      .getByRole('status')
      .filter({ hasText: /^Save proxy Office Paris failed: / })
      .waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const names = ((await cloud.post('/proxy/list', {}, owner.token)).data.list as { name: string }[]).map((p) => p.name).sort();
    expect(names).toEqual(['Closed port', 'Office Paris']);
  });
});
