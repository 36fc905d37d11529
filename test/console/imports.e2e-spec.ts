import { readFileSync } from 'node:fs';
import { Browser } from 'playwright-core';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { ensureConsoleBuilt } from '../support/console-build';
import { launchChromium, screenshot, signInConsole } from '../support/console-browser';
import { Account, registerOwner } from '../support/factories';

jest.setTimeout(240_000);

const csvCell = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** Imports in Chromium: 1,000 windows from an AdsPower-like CSV with 3 bad rows, the export back, a pasted proxy list. */
describe('imports and exports in the web console', () => {
  let cloud: CloudHarness;
  let browser: Browser;
  let owner: Account;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: { CONSOLE_DIR: ensureConsoleBuilt() } });
    owner = await registerOwner(cloud);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await cloud.close();
  });

  it('imports 1,000 windows with 3 bad rows named, creates the missing group first, and exports them back formula-safe', async () => {
    const header = ['acc_id', 'Name', 'Group', 'Tag', 'Platform', 'proxytype', 'host', 'port', 'proxy_user', 'proxy_password', 'Cookie'];
    const lines = Array.from({ length: 1000 }, (_, i) => [
      String(i),
      i === 1 ? '=HYPERLINK("http://evil.example")' : `seller-${i}`,
      'Shops',
      '',
      i % 2 ? 'Windows 10' : 'macOS',
      'socks5',
      `10.1.${i % 250}.1`,
      i === 400 ? '99999' : '1080',
      `u${i}`,
      'p,ss',
      i === 700 ? '[{"name":' : '',
    ]);
    lines[900][4] = 'Amiga';
    const file = [header, ...lines].map((row) => row.map(csvCell).join(',')).join('\n');

    const context = await browser.newContext({ acceptDownloads: true });
    const page = await signInConsole(context, cloud.url, owner);
    await page.getByRole('button', { name: 'Import windows…' }).click();
    await page.getByLabel('File').setInputFiles({ name: 'adspower.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${file}`) });
    await page.getByText('1000 rows read').waitFor();
    // Guessed from the header: the proxy from its own columns.
    expect(await page.getByLabel('Proxy host').inputValue()).toBe('6');
    await page.getByRole('button', { name: 'Check 1000 rows' }).click();
    await page.getByText('0 of 1000 rows can be imported').waitFor();
    await page.getByRole('button', { name: 'Create 1 missing group: Shops' }).click();
    await page.getByText('997 of 1000 rows can be imported; 3 have a problem.').waitFor();
    const problems = page.getByRole('region', { name: 'Rows with a problem' }).getByRole('listitem');
    expect(await problems.allTextContents()).toEqual([
      'Row 402: proxy port must be 1 to 65535',
      'Row 702: cookies: the JSON is not valid',
      'Row 902: os must be one of windows, macos, linux',
    ]);
    await screenshot(page, 'import-check');
    await page.getByRole('button', { name: 'Import 997 windows' }).click();
    await page.getByText('Imported 997 windows; 3 rows were not imported.').waitFor({ timeout: 120_000 });
    const [failed] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the rows with a problem (CSV)' }).click(),
    ]);
    const failedRows = readFileSync(await failed.path(), 'utf8')
      .trim()
      .split('\r\n');
    expect(failedRows).toHaveLength(4);
    expect(failedRows[1]).toContain('proxy port must be 1 to 65535');
    await page.getByRole('button', { name: 'Close dialog' }).click();

    const listed = (await cloud.post('/browser/list', { pageSize: 1 }, owner.token)).data;
    expect(listed.total).toBe(997);
    // Ten pages of the list, read one after another.
    const [exported] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const rows = readFileSync(await exported.path(), 'utf8')
      .trim()
      .split('\r\n');
    expect(rows[0]).toBe('id,uuid,name,group,tags,remark,proxy,os,createdAt');
    expect(rows).toHaveLength(998);
    // A name a spreadsheet would run is written inert; a proxy's password never leaves.
    expect(rows.find((r) => r.includes('HYPERLINK'))).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(rows.find((r) => r.includes(',seller-3,'))).toContain('socks5://u3@10.1.3.1:1080,windows');
    expect(rows.join('\n')).not.toContain('p,ss');
    await context.close();
  });

  it('creates missing tags named with quotes as the cloud named them, then imports', async () => {
    const quoted = 'vip "gold"';
    const file = [
      ['Name', 'Tag'],
      ['quoted-1', quoted],
      ['quoted-2', `${quoted}; fresh`],
    ]
      .map((row) => row.map(csvCell).join(','))
      .join('\n');
    const context = await browser.newContext();
    const page = await signInConsole(context, cloud.url, owner);
    await page.getByRole('button', { name: 'Import windows…' }).click();
    await page.getByLabel('File').setInputFiles({ name: 'tags.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
    await page.getByText('2 rows read').waitFor();
    await page.getByRole('button', { name: 'Check 2 rows' }).click();
    await page.getByText('0 of 2 rows can be imported').waitFor();
    // The names come from the answer's fields, not read back out of its message (a quote in a name broke that).
    await page.getByRole('button', { name: 'Create 2 missing tags: vip "gold", fresh' }).click();
    await page.getByText('2 of 2 rows can be imported').waitFor();
    const tags = (await cloud.post('/tag/list', { pageSize: 100 }, owner.token)).data.list.map((t: { name: string }) => t.name);
    expect(tags).toEqual(expect.arrayContaining(['vip "gold"', 'fresh']));
    expect(tags).not.toContain('vip ');
    await context.close();
  });

  it('saves a pasted proxy list and checks each saved proxy', async () => {
    const context = await browser.newContext();
    const page = await signInConsole(context, cloud.url, owner);
    await page.getByRole('link', { name: 'Proxies' }).click();
    await page.getByRole('button', { name: 'Paste a list…' }).click();
    await page.getByLabel(/Proxies, one per line/).fill('socks5://a:b@127.0.0.1:1\n127.0.0.1:2:user:pass\nftp://x:21');
    await page.getByRole('button', { name: 'Check lines' }).click();
    await page.getByText('Line 3: proxy type ftp is not one of http, https, socks5').waitFor();
    await page.getByRole('button', { name: 'Save 2 proxies' }).click();
    // Nothing listens on those ports: each check says so beside its line.
    await page.getByText(/Line 1: socks5:\/\/127\.0\.0\.1:1 a — does not work/).waitFor();
    await page.getByText(/Line 2: http:\/\/127\.0\.0\.1:2 user — does not work/).waitFor();
    await screenshot(page, 'proxy-paste');
    const list = (await cloud.post('/proxy/list', { pageSize: 10 }, owner.token)).data.list;
    expect(list.map((p: { name: string }) => p.name).sort()).toEqual(['http://127.0.0.1:2 user', 'socks5://127.0.0.1:1 a']);
    await context.close();
  });
});
