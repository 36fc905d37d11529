import { Browser, BrowserContext, Page } from 'playwright-core';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { seriousViolations, sidewaysOverflow, tablesScrolledSideways } from '../support/console-axe';
import { ensureConsoleBuilt } from '../support/console-build';
import { launchChromium, screenshot, signInConsole } from '../support/console-browser';
import { Account, addMember, createGroup, createTag, createWindow, registerOwner } from '../support/factories';
import { line, LineClient } from '../support/line-client';

jest.setTimeout(180_000);

const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** What every page shows once its data is in (the event stream keeps the network busy: wait for content). */
const SEEDED = {
  group: 'Axe group',
  tag: 'axe-tag',
  window: 'Axe window',
  deleted: 'Axe deleted window',
  proxy: 'Axe proxy',
  task: 'Axe task',
  variable: 'axe_region',
  webhook: 'https://hooks.example.com/axe',
  token: 'axe script',
  invited: 'invited-axe@example.com',
};

/** Every page of the console's navigation (apps/console/src/main.tsx PAGES), with what shows it is loaded. */
const PAGES: { hash: string; title: string; ready: (page: Page) => ReturnType<Page['getByText']> }[] = [
  { hash: 'windows', title: 'Windows', ready: (p) => p.getByRole('table').getByText(SEEDED.window, { exact: true }).first() },
  { hash: 'devices', title: 'Devices', ready: (p) => p.getByRole('row').filter({ hasText: 'axe-desk' }) },
  { hash: 'tasks', title: 'Tasks', ready: (p) => p.getByRole('button', { name: SEEDED.task, exact: true }) },
  { hash: 'runs', title: 'Runs', ready: (p) => p.getByRole('table', { name: 'Runs' }).getByText(SEEDED.task).first() },
  { hash: 'schedules', title: 'Schedules', ready: (p) => p.getByRole('table', { name: 'Schedules' }).getByText(SEEDED.task).first() },
  { hash: 'variables', title: 'Variables', ready: (p) => p.getByText(SEEDED.variable).first() },
  { hash: 'webhooks', title: 'Webhooks', ready: (p) => p.getByText(SEEDED.webhook).first() },
  { hash: 'recycle', title: 'Recycle bin', ready: (p) => p.getByRole('table').getByText(SEEDED.deleted, { exact: true }).first() },
  { hash: 'groups', title: 'Groups and tags', ready: (p) => p.getByRole('textbox', { name: `Name of group ${SEEDED.group}` }) },
  { hash: 'proxies', title: 'Proxies', ready: (p) => p.getByRole('table').getByText(SEEDED.proxy, { exact: true }).first() },
  { hash: 'members', title: 'Members', ready: (p) => p.getByRole('table').getByText(SEEDED.invited, { exact: true }).first() },
  { hash: 'audit', title: 'Audit log', ready: (p) => p.getByRole('table').getByText('Window created', { exact: true }).first() },
  { hash: 'tokens', title: 'API tokens', ready: (p) => p.getByRole('table').getByText(SEEDED.token, { exact: true }).first() },
];

/** The dialogs most used, opened from the page that offers them. */
const DIALOGS: { name: string; hash: string; button: string; dialog: string }[] = [
  { name: 'dialog-new-window', hash: 'windows', button: 'New window', dialog: 'New window' },
  { name: 'dialog-import-windows', hash: 'windows', button: 'Import windows…', dialog: 'Import windows' },
  { name: 'dialog-invite', hash: 'members', button: 'Invite', dialog: 'Invite a member' },
];

/**
 * Every page of the console, signed in as an owner whose team has something on each, at a
 * desktop's and a phone's size: no serious or critical axe-core finding, no sideways scrolling on
 * a phone, and a full-page screenshot of each in test-output/console.
 */
describe('every console page is accessible at desktop and phone sizes', () => {
  let cloud: CloudHarness;
  let browser: Browser;
  let owner: Account;
  let inviteToken: string;
  let device: LineClient;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: { CONSOLE_DIR: ensureConsoleBuilt() } });
    owner = await registerOwner(cloud);
    // A device online, for the Devices page and for the run and schedule to name.
    device = await line(cloud.url, owner.token);
    // A long name: the Windows page's device choice must still fit a phone's width.
    await device.hello({ hostname: 'axe-desk-in-the-back-office-of-the-warehouse' });
    inviteToken = await seedEveryPage(cloud, owner);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    device?.close();
    await cloud?.close();
  });

  /**
   * The findings that fail a page: axe's serious and critical ones, sideways scrolling on a phone,
   * and on a desktop a table wider than its column.
   */
  const problems = async (page: Page, viewport: keyof typeof VIEWPORTS, within?: string): Promise<string[]> => [
    ...(await seriousViolations(page, within)),
    ...(viewport === 'phone' ? await sidewaysOverflow(page) : await tablesScrolledSideways(page)),
  ];

  for (const [viewport, size] of Object.entries(VIEWPORTS) as [keyof typeof VIEWPORTS, (typeof VIEWPORTS)[keyof typeof VIEWPORTS]][]) {
    describe(`at ${size.width}×${size.height} (${viewport})`, () => {
      let context: BrowserContext;
      let page: Page;
      beforeAll(async () => {
        context = await browser.newContext({ viewport: size });
        page = await signInConsole(context, cloud.url, owner);
      });
      afterAll(() => context?.close());

      it('the sign-in page', async () => {
        const guest = await browser.newContext({ viewport: size });
        const signIn = await guest.newPage();
        await signIn.goto(`${cloud.url}/`);
        await signIn.getByRole('button', { name: 'Sign in' }).waitFor();
        await screenshot(signIn, `sign-in-${viewport}`);
        const found = await problems(signIn, viewport);
        await guest.close();
        expect(found).toEqual([]);
      });

      it('the invitation accept page', async () => {
        const guest = await browser.newContext({ viewport: size });
        const accept = await guest.newPage();
        await accept.goto(`${cloud.url}/#/accept?token=${inviteToken}`);
        await accept.getByLabel('New password').waitFor();
        await screenshot(accept, `accept-${viewport}`);
        const found = await problems(accept, viewport);
        await guest.close();
        expect(found).toEqual([]);
      });

      it.each(PAGES)('the $title page', async ({ hash, title, ready }) => {
        await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: title, exact: true }).click();
        await page.getByRole('heading', { name: title, level: 1 }).waitFor();
        await ready(page).waitFor();
        await screenshot(page, `${hash}-${viewport}`);
        expect(await problems(page, viewport)).toEqual([]);
      });

      it.each(DIALOGS)('the $dialog dialog', async ({ name, hash, button, dialog }) => {
        await page.goto(`${cloud.url}/#/${hash}`);
        await page.getByRole('button', { name: button, exact: true }).click();
        const opened = page.getByRole('dialog', { name: dialog });
        await opened.waitFor();
        await screenshot(page, `${name}-${viewport}`);
        const found = [
          ...(await seriousViolations(page, '[role="dialog"]')),
          ...(viewport === 'phone' ? await sidewaysOverflow(page) : []),
        ];
        await page.keyboard.press('Escape');
        await opened.waitFor({ state: 'detached' });
        expect(found).toEqual([]);
      });
    });
  }
});

/** Something on every page: a group, a tag, windows (one in the bin), a proxy, a task with a run and a schedule, a variable, a webhook, a member, an invitation, a token. Answers the invitation's token. */
async function seedEveryPage(cloud: CloudHarness, owner: Account): Promise<string> {
  const ok = async (path: string, body: object) => {
    const answer = await cloud.post(path, body, owner.token);
    if (answer.code !== 0) throw new Error(`${path}: ${answer.msg}`);
    return answer.data;
  };
  const groupId = await createGroup(cloud, owner, SEEDED.group);
  const tagId = await createTag(cloud, owner, SEEDED.tag);
  const proxy = await ok('/proxy/add', { name: SEEDED.proxy, proxyType: 'socks5', host: '10.0.0.7', port: 1080 });
  const w = await createWindow(cloud, owner, {
    name: SEEDED.window,
    groupId,
    tagIds: [tagId],
    proxyMethod: 4,
    proxyId: proxy.id,
    remark: 'seller account',
  });
  const deleted = await createWindow(cloud, owner, { name: SEEDED.deleted });
  await ok('/browser/delete/ids', { ids: [deleted.id] });
  const task = await ok('/task/create', { name: SEEDED.task, steps: [{ type: 'navigate', url: 'https://example.com/' }] });
  const run = { taskId: task.id, windowIds: [w.id], devices: [owner.deviceId] };
  await ok('/run/start', run);
  await ok('/schedule/set', { ...run, cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' });
  await ok('/variable/set', { name: SEEDED.variable, value: 'eu' });
  await ok('/webhook/create', { url: SEEDED.webhook });
  // Long texts a desktop's tables must wrap, not push a row's actions out of view.
  await ok('/webhook/create', {
    url: 'https://hooks.example.com/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX?team=acme-shops&env=production',
  });
  await cloud.db.query(`UPDATE proxies SET check_status = 'failed', check_message = $1, checked_at = now() WHERE id = $2`, [
    'Proxy socks5://10.0.0.7:1080 could not be reached (connect ETIMEDOUT 10.0.0.7:1080 after trying every address its name resolves to, one after the other)',
    proxy.id,
  ]);
  await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'groups', groupIds: [groupId] });
  await ok('/auth/token/create', { name: SEEDED.token });
  return (await ok('/team/invite/create', { email: SEEDED.invited, permissions: ['browser:list'] })).token;
}
