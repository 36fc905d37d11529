import { Browser, BrowserContext, Page } from 'playwright-core';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { ensureConsoleBuilt } from '../support/console-build';
import { launchChromium, screenshot, signInConsole } from '../support/console-browser';
import { focusAfterClose } from '../support/console-keyboard';
import { Account, addMember, createGroup, createTag, createWindow, registerOwner } from '../support/factories';

jest.setTimeout(180_000);

describe('the console asks before it destroys, undoes a move to the bin, and names people and windows', () => {
  let cloud: CloudHarness;
  let browser: Browser;
  let owner: Account;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: { CONSOLE_DIR: ensureConsoleBuilt() } });
    owner = await registerOwner(cloud);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await signInConsole(context, cloud.url, owner);
  });
  afterAll(async () => {
    await browser?.close();
    await cloud.close();
  });

  const binIds = async () => (await cloud.post('/browser/recycle/list', {}, owner.token)).data.list.map((w: { id: number }) => w.id);
  const status = (text: string) => page.getByRole('status').filter({ hasText: text }).waitFor();

  it('deletes for good only once confirmed: Cancel (focused first) changes nothing; the count is in words', async () => {
    const w = await createWindow(cloud, owner, { name: 'Purge me' });
    await cloud.post('/browser/delete', { ids: [w.id] }, owner.token);
    await page.getByRole('link', { name: 'Recycle bin' }).click();
    await page.getByText('1 window', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Delete Purge me for good' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Delete Purge me for good?' });
    await ask.getByText('Its profile and cookies are removed and cannot be restored.').waitFor();
    await expect(ask.getByRole('button', { name: 'Cancel' }).evaluate((b) => b === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await ask.waitFor({ state: 'detached' });
    // Focus is back on the button that asked.
    const asker = page.getByRole('button', { name: 'Delete Purge me for good' });
    expect(await focusAfterClose(page, asker)).toBe('button "Delete Purge me for good"');
    await page.getByRole('button', { name: 'Delete Purge me for good' }).click();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    expect(await binIds()).toEqual([w.id]);

    await page.getByRole('button', { name: 'Delete Purge me for good' }).click();
    await ask.getByRole('button', { name: 'Delete for good' }).click();
    await status('Delete Purge me for good: done');
    expect(await binIds()).toEqual([]);
    expect((await cloud.post('/browser/detail', { id: w.id }, owner.token)).code).toBe(404);
    await page.getByText('The recycle bin is empty.').waitFor();
  });

  it('says how many windows emptying the bin deletes', async () => {
    const ws = [await createWindow(cloud, owner), await createWindow(cloud, owner)];
    await cloud.post('/browser/delete', { ids: ws.map((w) => w.id) }, owner.token);
    await page.reload();
    await page.getByRole('link', { name: 'Recycle bin' }).click();
    await page.getByRole('button', { name: 'Empty the recycle bin' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Delete 2 windows for good?' });
    await ask.getByRole('button', { name: 'Cancel' }).click();
    expect((await binIds()).sort()).toEqual(ws.map((w) => w.id).sort());
    await page.getByRole('button', { name: 'Empty the recycle bin' }).click();
    await ask.getByRole('button', { name: 'Delete 2 windows' }).click();
    await status('Deleted 2 windows for good');
    expect(await binIds()).toEqual([]);
  });

  it('groups show their window count; renaming needs a changed name; deleting one says how many windows it ungroups', async () => {
    const group = await createGroup(cloud, owner, 'Resellers');
    for (let i = 0; i < 2; i++) await createWindow(cloud, owner, { groupId: group });
    await page.getByRole('link', { name: 'Groups and tags' }).click();
    const row = page.getByRole('listitem').filter({ has: page.getByRole('textbox', { name: 'Name of group Resellers' }) });
    await row.getByText('2 windows', { exact: true }).waitFor();
    const rename = row.getByRole('button', { name: 'Rename group Resellers' });
    expect(await rename.isDisabled()).toBe(true);
    await row.getByRole('textbox').fill('Resellers EU');
    await rename.click();
    await status('Rename group: done');
    await page.getByRole('textbox', { name: 'Name of group Resellers EU' }).waitFor();
    expect((await cloud.post('/group/list', { keyword: 'Resellers' }, owner.token)).data.list.map((g: { name: string }) => g.name)).toEqual(
      ['Resellers EU'],
    );

    await page.getByRole('button', { name: 'Delete Resellers EU' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Delete the group Resellers EU?' });
    await ask.getByText('Its 2 windows stay and become ungrouped').waitFor();
    await ask.getByRole('button', { name: 'Delete group' }).click();
    await status('Delete group Resellers EU: done');
    expect((await cloud.post('/group/list', { keyword: 'Resellers' }, owner.token)).data.total).toBe(0);
  });

  it('tags show how many windows have them, and deleting one says so; a 50-character name can be typed', async () => {
    const tag = await createTag(cloud, owner, 'Priority');
    await createWindow(cloud, owner, { tagIds: [tag] });
    await page.getByRole('link', { name: 'Groups and tags' }).click();
    const row = page.getByRole('listitem').filter({ has: page.getByRole('textbox', { name: 'Name of tag Priority' }) });
    await row.getByText('1 window', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete Priority' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Delete the tag Priority?' });
    await ask.getByText('The 1 window with it stays and loses the tag Priority.').waitFor();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    const long = 'T'.repeat(50);
    await page.getByLabel('New tag name').fill(long + 'x');
    expect(await page.getByLabel('New tag name').inputValue()).toBe(long);
    await page.getByRole('button', { name: 'Add tag' }).click();
    await status('Add tag: done');
    const added = page.getByRole('listitem').filter({ has: page.getByRole('textbox', { name: `Name of tag ${long}` }) });
    await added.getByText('0 windows', { exact: true }).waitFor();
    expect((await cloud.post('/tag/list', { keyword: long }, owner.token)).data.total).toBe(1);
  });

  it("a 100-character group name breaks inside its row for a member who only reads it, and the Group filter keeps a filter's width", async () => {
    const long = 'Wholesale'.repeat(12).slice(0, 100);
    await createGroup(cloud, owner, long);
    const reader = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'all' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const member = await signInConsole(context, cloud.url, reader);
    await member.getByRole('link', { name: 'Groups and tags' }).click();
    await member.locator('.named-list .named', { hasText: long }).waitFor();
    const fits = await member.evaluate(() => {
      const column = document.querySelector('section[aria-label="Groups"]')!.getBoundingClientRect();
      const names = Array.from(document.querySelectorAll<HTMLElement>('section[aria-label="Groups"] .named'));
      return {
        page: document.documentElement.scrollWidth <= innerWidth,
        // The text itself, not only its box: an unbroken name overflows a box that stays in place.
        inColumn: names.every((e) => e.scrollWidth <= e.clientWidth + 1 && e.getBoundingClientRect().right <= column.right + 1),
      };
    });
    expect(fits).toEqual({ page: true, inColumn: true });
    await member.getByRole('link', { name: 'Windows', exact: true }).click();
    const filter = member
      .getByRole('search')
      .locator('label', { hasText: /^Group/ })
      .locator('select');
    await filter.locator('option', { hasText: long }).waitFor({ state: 'attached' });
    expect((await filter.boundingBox())!.width).toBeLessThanOrEqual(20 * 16 + 1);
    await context.close();
  });

  it('moves selected windows to the bin after a confirmation, and Undo brings them back', async () => {
    const ws = [await createWindow(cloud, owner, { name: 'Undo one' }), await createWindow(cloud, owner, { name: 'Undo two' })];
    await page.getByRole('link', { name: 'Windows' }).click();
    await page.getByRole('checkbox', { name: 'Select Undo one' }).check();
    // A window chosen before the filter changed stays chosen while hidden: the confirmation names it.
    await page.getByLabel('Search name or remark').fill('Undo two');
    await page.getByLabel('Search name or remark').press('Enter');
    await page.getByRole('cell', { name: 'Undo one', exact: true }).waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: 'Select Undo two' }).check();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Move 2 windows to the recycle bin?' });
    await confirm.getByText(/^Undo one and Undo two: they close for everyone/).waitFor();
    await confirm.getByRole('button', { name: 'Move to recycle bin' }).click();
    // Emptied and not sent, the box still counts once another filter is chosen.
    await page.getByLabel('Search name or remark').fill('');
    await page
      .getByRole('search')
      .locator('label', { hasText: /^Group/ })
      .locator('select')
      .selectOption({ index: 0 });
    await status('Moved 2 windows to the recycle bin');
    expect((await binIds()).sort()).toEqual(ws.map((w) => w.id).sort());
    await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
    await status('Restored 2 windows from the recycle bin');
    expect(await binIds()).toEqual([]);
    await page.getByRole('cell', { name: 'Undo two', exact: true }).waitFor();
    await page.getByRole('cell', { name: 'Undo one', exact: true }).waitFor();
  });

  it("shows the cloud's message when an action is refused, without a status code", async () => {
    const saved = await cloud.post('/proxy/add', { name: 'Bound proxy', proxyType: 'http', host: 'h.example', port: 8080 }, owner.token);
    await createWindow(cloud, owner, { proxyMethod: 4, proxyId: saved.data.id });
    await page.getByRole('link', { name: 'Proxies' }).click();
    await page.getByRole('button', { name: 'Delete Bound proxy' }).click();
    await page.getByRole('alertdialog', { name: 'Delete the proxy Bound proxy?' }).getByRole('button', { name: 'Delete proxy' }).click();
    const line = page.getByRole('status').filter({ hasText: 'Delete Bound proxy failed: ' });
    await line.waitFor();
    expect(await line.innerText()).not.toMatch(/\(\d{3}\)|409/);
    expect((await cloud.post('/proxy/list', {}, owner.token)).data.list.map((p: { id: number }) => p.id)).toContain(saved.data.id);
  });

  it('the audit log names who and which window, and filters by what happened and by member', async () => {
    const member = await addMember(cloud, owner, { permissions: ['browser:list', 'browser:create:single'] });
    await createWindow(cloud, member, { name: 'Made by member' });
    const gone = await createWindow(cloud, owner, { name: 'Soon gone' });
    await cloud.post('/browser/delete', { ids: [gone.id] }, owner.token);
    await cloud.post('/browser/recycle/delete', { ids: [gone.id] }, owner.token);

    await page.getByRole('link', { name: 'Audit log' }).click();
    const log = page.getByRole('table', { name: 'Audit log' });
    const created = log.getByRole('row').filter({ hasText: 'Made by member' }).filter({ hasText: 'Window created' });
    await created.getByRole('cell', { name: member.email, exact: true }).waitFor();
    await log.getByRole('row').filter({ hasText: 'Window deleted for good' }).first().getByRole('cell', { name: owner.email }).waitFor();
    await log.getByRole('cell', { name: 'A window deleted for good' }).first().waitFor();
    expect(await log.innerText()).not.toContain('window.created');
    // A sign-in from the console or the API names no agent's device, and says so plainly.
    await log
      .getByRole('row')
      .filter({ hasText: 'Signed in' })
      .first()
      .getByRole('cell', { name: 'No agent (a console or API session)' })
      .waitFor();
    // Details in words: names of fields, permissions by their labels, lists joined, no JSON.
    const joined = log.getByRole('row').filter({ hasText: 'Member added' }).filter({ hasText: member.email });
    await joined.getByRole('definition').filter({ hasText: 'See windows, Create windows' }).waitFor();
    expect(await joined.getByRole('term').allInnerTexts()).toEqual(expect.arrayContaining(['user id', 'group ids']));
    expect(await joined.innerText()).not.toMatch(/[[\]{}"]/);

    await page.getByLabel('What happened').selectOption({ label: 'Window created' });
    await page.getByLabel('Who').selectOption({ label: member.email });
    await expect(log.getByRole('row').count()).resolves.toBeGreaterThan(1);
    await page.waitForFunction(() => {
      const rows = Array.from(document.querySelectorAll('table[aria-label="Audit log"] tbody tr'));
      return rows.length === 1 && rows[0].textContent?.includes('Made by member');
    });
    await page.getByText('1 event', { exact: true }).waitFor();
    await screenshot(page, 'audit-filtered');

    await page.getByLabel('What happened').selectOption({ label: 'API token revoked' });
    await page.getByText('No events match these filters. Widen the dates or clear the filters.').waitFor();
  });
});
