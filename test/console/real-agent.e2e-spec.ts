import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { AgentProcess, spawnAgent } from '../support/agent-process';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { ensureConsoleBuilt } from '../support/console-build';
import { launchChromium, screenshot, signInConsole } from '../support/console-browser';
import { Account, createWindow, registerOwner } from '../support/factories';
import { waitFor } from '../support/wait-for';

jest.setTimeout(300_000);

/**
 * The console driving a real agent (its own data folder, a real Firefox): Open on the device, the
 * badge following the window live, Close, and the profile version the close synced in the sheet.
 */
describe('console: open and close through a real agent', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let agent: AgentProcess;
  let browser: Browser;
  let page: Page;
  let hostname: string;
  const folder = mkdtempSync(join(tmpdir(), 'cos-console-agent-'));

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: { CONSOLE_DIR: ensureConsoleBuilt() } });
    owner = await registerOwner(cloud);
    agent = await spawnAgent({
      cloudUrl: cloud.url,
      dataDir: folder,
      email: owner.email,
      password: owner.password,
      env: { AGENT_LINE_RETRY_MS: '200' },
    });
    await waitFor(async () => (await cloud.post('/device/list', {}, owner.token)).data.list.some((d: { online: boolean }) => d.online));
    hostname = (await cloud.post('/device/list', {}, owner.token)).data.list[0].hostname;
    browser = await launchChromium();
    page = await signInConsole(await browser.newContext({ viewport: { width: 1280, height: 800 } }), cloud.url, owner);
  });
  afterAll(async () => {
    await agent?.post('/browser/close/all').catch(() => undefined);
    await agent?.kill();
    await browser?.close();
    await cloud?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('opens a window on the device from its row, shows it open there, closes it, and shows the version its close synced', async () => {
    const w = await createWindow(cloud, owner, { name: 'real one' });
    const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: 'real one', exact: true }) });
    await page.getByRole('button', { name: 'Open real one' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Open on ${hostname}: done` })
      .waitFor({ timeout: 120_000 });
    await row.getByText(`Open on ${hostname}`).waitFor();
    expect((await cloud.post('/browser/detail', { id: w.id }, owner.token)).data.openStatus).toBe('opened');
    await screenshot(page, 'windows-real-agent-open');

    await page.getByRole('button', { name: 'Close real one' }).click();
    await row.getByText('Closed', { exact: true }).waitFor({ timeout: 120_000 });
    // The close synced the profile: the sheet shows the version, its size and when.
    await page.getByRole('button', { name: 'real one', exact: true }).click();
    const sheet = page.getByRole('dialog', { name: 'real one' });
    const versions = sheet.getByRole('table', { name: 'Profile versions of real one' });
    await versions.getByText('1 (current)').waitFor({ timeout: 60_000 });
    expect(await versions.textContent()).toMatch(/\d+\.\d MB, [1-9]\d* files/);
    expect(await sheet.locator('dd').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(`on ${hostname}`)]));
    await screenshot(page, 'window-sheet-real-agent');
    await page.keyboard.press('Escape');
  });
});
