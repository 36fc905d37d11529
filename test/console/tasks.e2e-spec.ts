import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser } from 'playwright-core';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { ensureConsoleBuilt } from '../support/console-build';
import { launchChromium, screenshot, signInConsole } from '../support/console-browser';
import { Account, createWindow, registerOwner } from '../support/factories';
import { line } from '../support/line-client';
import { png, sha } from '../support/png';

jest.setTimeout(180_000);

/** The Tasks and Runs pages in Chromium: a task written with the step editor, versions, a run live, captured values as CSV. */
describe('tasks and runs in the web console', () => {
  let cloud: CloudHarness;
  let browser: Browser;
  let owner: Account;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: { CONSOLE_DIR: ensureConsoleBuilt(), RUN_SWEEP_MS: '200' } });
    owner = await registerOwner(cloud);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await cloud.close();
  });

  it('writes a task with the step editor, saves a version, restores the first, runs it on a device and exports what it captured', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await signInConsole(context, cloud.url, owner);
    const w = await createWindow(cloud, owner, { name: 'shop-1' });
    const device = await line(cloud.url, owner.token);
    await device.hello({ hostname: 'desk-tasks' });

    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByLabel('Task name').fill('Check price');
    await page.getByRole('button', { name: '+ navigate' }).click();
    await page.getByRole('button', { name: '+ extract' }).click();
    const editor = page.getByLabel('Steps (JSON)');
    const steps = JSON.parse(await editor.inputValue()) as { type: string }[];
    expect(steps.map((s) => s.type)).toEqual(['navigate', 'extract']);
    await page.getByRole('button', { name: 'Save task' }).click();
    await page.getByRole('button', { name: 'Check price' }).click();
    await page.getByRole('heading', { name: 'Check price (version 1)' }).waitFor();
    await editor.fill(
      JSON.stringify([
        { type: 'navigate', url: '{{shop}}/item' },
        { type: 'extract', selector: '.price', as: 'price' },
      ]),
    );
    await page.getByRole('button', { name: 'Save a new version' }).click();
    await page.getByRole('heading', { name: 'Check price (version 2)' }).waitFor();
    await page.getByRole('button', { name: 'Restore version 1' }).click();
    await page.getByRole('heading', { name: 'Check price (version 3)' }).waitFor();
    await page.getByRole('button', { name: 'Restore version 2' }).click();
    await page.getByRole('heading', { name: 'Check price (version 4)' }).waitFor();
    // A refusal shows next to the action, and nothing is saved.
    await editor.fill('[{"type":"navigate","url":"file:///etc/passwd"}]');
    await page.getByRole('button', { name: 'Save a new version' }).click();
    await page.getByRole('status').filter({ hasText: 'steps[0].url must be an http(s) URL' }).waitFor();
    await screenshot(page, 'task-editor');

    await page.getByLabel(/desk-tasks/).check();
    await page.getByLabel('Window ids (comma separated)').fill(String(w.id));
    await page.getByLabel('Variables (name=value per line)').fill('shop=https://shop.example');
    await page.getByRole('button', { name: 'Start run' }).click();
    const command = await device.next('command');
    expect(command.run.steps[0]).toEqual({ type: 'navigate', url: 'https://shop.example/item' });
    await page.getByRole('heading', { name: 'Check price (version 4): running' }).waitFor();
    // The device sends a screenshot and answers with its log; the page follows by the run's events.
    const shot = png(320, 200);
    const sent = await fetch(`${cloud.url}/run/shot?commandId=${command.commandId}&sha256=${sha(shot)}&step=0`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${owner.token}`, 'Content-Type': 'application/octet-stream' },
      body: new Uint8Array(shot),
    });
    expect(((await sent.json()) as { code: number }).code).toBe(0);
    device.send({
      type: 'answer',
      commandId: command.commandId,
      code: 0,
      msg: 'success',
      data: {
        results: [{ index: 0, type: 'navigate', ok: true, ms: 5 }],
        captured: { price: '=1+1' },
        log: [
          { ms: 10, text: 'opening the window' },
          { ms: 900, text: 'closed and synced' },
        ],
      },
    });
    await page.getByRole('heading', { name: 'Check price (version 4): succeeded' }).waitFor();
    await page.getByRole('cell', { name: '=1+1' }).waitFor();
    await page.getByText('shop-1 (' + w.id + '): 1 screenshot, 2 log lines').click();
    const image = page.getByRole('img', { name: /step 0 \(320×200\)/ });
    await image.waitFor();
    // Shown from memory under the console's policy: the image really loaded.
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('.shot img')?.naturalWidth === 320);
    await page
      .getByRole('list', { name: /Log of shop-1/ })
      .getByText('closed and synced')
      .waitFor();
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(readFileSync(await file.path(), 'utf8')).toBe(`window,price\r\n${w.id},"'=1+1"\r\n`);
    await screenshot(page, 'run-detail');
    await page.getByRole('link', { name: 'All runs' }).click();
    expect(await page.getByRole('row').filter({ hasText: 'Check price' }).textContent()).toContain('1 succeeded');

    // The same run as a schedule: it shows when it runs next.
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('button', { name: 'Check price' }).click();
    await page.getByLabel(/desk-tasks/).check();
    await page.getByLabel('Window ids (comma separated)').fill(String(w.id));
    await page.getByLabel('Variables (name=value per line)').fill('shop=https://shop.example');
    await page.getByLabel('Schedule (cron: minute hour day month weekday)').fill('15 6 * * *');
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByRole('status').filter({ hasText: 'Save schedule: done' }).waitFor();
    // Every text the page shows from here is watched: a row must never read "task 1" before its name.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenCells: string[] }).seenCells = seen;
      new MutationObserver(() => document.querySelectorAll('td').forEach((td) => seen.push(td.textContent ?? ''))).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
    await page.getByRole('link', { name: 'Schedules' }).click();
    const row = page.getByRole('row').filter({ hasText: '15 6 * * * (Europe/Berlin)' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Check price');
    expect(await page.evaluate(() => (window as unknown as { seenCells: string[] }).seenCells.filter((t) => /^task \d+$/.test(t)))).toEqual(
      [],
    );
    await screenshot(page, 'schedules');
    device.close();
    await context.close();
  });

  it('adds a webhook endpoint (its secret shown once) and shows its deliveries with the answers', async () => {
    const context = await browser.newContext();
    const page = await signInConsole(context, cloud.url, owner);
    const received: string[] = [];
    const endpoint = createServer((req, res) => {
      req.on('data', (chunk: Buffer) => received.push(chunk.toString()));
      req.on('end', () => res.end('thanks'));
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('button', { name: 'Allow private addresses' }).click();
    await page.getByText('Private addresses are allowed').waitFor();
    await page.getByLabel('Endpoint URL').fill(`http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hook`);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByRole('note').filter({ hasText: 'whsec_' }).waitFor();
    // A run ends: its delivery is listed with the endpoint's answer.
    const device = await line(cloud.url, owner.token);
    await device.hello({ hostname: 'desk-hooks' });
    const task = (await cloud.post('/task/create', { name: 'hooked', steps: [{ type: 'wait', ms: 1 }] }, owner.token)).data;
    const w = await createWindow(cloud, owner);
    await cloud.post('/run/start', { taskId: task.id, windowIds: [w.id], devices: [owner.deviceId] }, owner.token);
    const command = await device.next('command');
    device.send({ type: 'answer', commandId: command.commandId, code: 0, msg: 'success', data: { results: [] } });
    await page.getByRole('button', { name: /^Deliveries of / }).click();
    await page.getByRole('cell', { name: '200 thanks' }).waitFor({ timeout: 30_000 });
    expect(received.join('')).toContain('"type":"run.finished"');
    await screenshot(page, 'webhooks');
    device.close();
    endpoint.close();
    await context.close();
  });
});
