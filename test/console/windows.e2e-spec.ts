import { Browser, BrowserContext, Page } from 'playwright-core';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { ensureConsoleBuilt } from '../support/console-build';
import { launchChromium, screenshot, signInConsole } from '../support/console-browser';
import { Account, addMember, createTag, createWindow, registerOwner } from '../support/factories';
import { line } from '../support/line-client';

jest.setTimeout(240_000);

/** The windows page as operators use it all day: a long list, sorting, columns, tags and proxies in place, one window's sheet. */
describe('console: the windows list', () => {
  let cloud: CloudHarness;
  let browser: Browser;
  let owner: Account;
  let context: BrowserContext;
  let page: Page;
  let ads: number;
  let proxyId: number;

  const detail = async (id: number) => (await cloud.post('/browser/detail', { id }, owner.token)).data;
  const rows = () => page.getByRole('table', { name: 'Windows', exact: true }).locator('tbody tr:not(.spacer)');

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: { CONSOLE_DIR: ensureConsoleBuilt() } });
    owner = await registerOwner(cloud);
    browser = await launchChromium();
    // 250 windows, named so that creation order and name order differ: w-000 is the newest.
    for (let i = 0; i < 250; i++) await createWindow(cloud, owner, { name: `w-${String(249 - i).padStart(3, '0')}` });
    ads = await createTag(cloud, owner, 'ads');
    await createTag(cloud, owner, 'vip');
    const added = await cloud.post('/proxy/add', { name: 'team DE', proxyType: 'socks5', host: '10.0.0.7', port: 1080 }, owner.token);
    proxyId = added.data.id;
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await signInConsole(context, cloud.url, owner);
  });
  afterAll(async () => {
    await browser?.close();
    await cloud.close();
  });

  it('scrolls through every window of a long list in one table, loading rows as they come on screen', async () => {
    const table = page.getByRole('table', { name: 'Windows', exact: true });
    await page.getByRole('button', { name: 'w-000', exact: true }).waitFor();
    expect(await table.getAttribute('aria-rowcount')).toBe('251');
    await page.getByText('250 windows', { exact: true }).waitFor();
    // Only what is on screen is in the page.
    expect(await rows().count()).toBeLessThan(80);
    await page.locator('.table-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.getByRole('button', { name: 'w-249', exact: true }).waitFor();
    expect(await page.locator('tr[aria-rowindex="251"]').textContent()).toContain('w-249');
    // The header stays on top of the scrolled rows.
    const header = await table.locator('th').first().boundingBox();
    const scroller = await page.locator('.table-scroll').boundingBox();
    expect(Math.abs(header!.y - scroller!.y)).toBeLessThan(3);
    await screenshot(page, 'windows-scrolled');
  });

  it('draws the rows as plain text while the list flies by, keeping the rows it left hidden, and its controls where it stops', async () => {
    await page.locator('.table-scroll').evaluate((el) => (el.scrollTop = 0));
    await page.getByRole('button', { name: 'w-000', exact: true }).waitFor();
    await page.waitForFunction(() => document.querySelector('.table-scroll tr.pending') === null);
    // 2,000 px a frame, as a flung wheel or a dragged scrollbar: what each next frame shows.
    const frames = await page.locator('.table-scroll').evaluate(
      (box) =>
        new Promise<unknown[]>((resolve, reject) => {
          const table = box.querySelector('table')!;
          const left = table.querySelector('tbody tr[aria-rowindex="2"]')!;
          const seen: unknown[] = [];
          let frame = 0;
          const tick = () => {
            try {
              look();
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
              return;
            }
            if (frame++ < 4) {
              box.scrollTop += 2_000;
              requestAnimationFrame(tick);
            } else resolve(seen);
          };
          const look = () => {
            if (frame > 0) {
              const shown = Array.from(table.tBodies).filter((body) => getComputedStyle(body).display !== 'none');
              const rows = shown.flatMap((body) => Array.from(body.rows)).filter((row) => !row.classList.contains('spacer'));
              const pending = rows.filter((row) => row.classList.contains('pending'));
              seen.push({
                bodiesShown: shown.length,
                withControls: rows.filter((row) => row.querySelector('button, input')).length,
                cellsPerRow: [...new Set(rows.map((row) => row.cells.length))].length,
                pendingSay: [...new Set(pending.map((row) => row.querySelector('td:not(.select)')?.textContent))],
                names: rows
                  .filter((row) => !pending.includes(row))
                  .every((row) => /^w-\d{3}$/.test(row.querySelector('[data-label="Name"]')!.textContent)),
                leftRowKeptHidden: left.isConnected && left.getClientRects().length === 0,
              });
            }
          };
          requestAnimationFrame(tick);
        }),
    );
    const flying = { bodiesShown: 1, withControls: 0, cellsPerRow: 1, names: true, leftRowKeptHidden: true };
    expect(frames).toEqual(frames.map(() => expect.objectContaining(flying)));
    // A row not loaded yet has a loaded row's cells: the table keeps its shape from frame to frame.
    expect(frames).toContainEqual(expect.objectContaining({ pendingSay: ['Loading…'] }));
    // Where it stops, the rows are drawn again with their controls, and the rows it left are let go.
    await page.waitForFunction(() => document.querySelector('.table-scroll tr[aria-rowindex] button.link') !== null);
    await page.waitForFunction(() => document.querySelector<HTMLTableElement>('.table-scroll table')!.tBodies.length === 1);
    expect(await rows().count()).toBeLessThan(80);
    // Where it was flung to: the rows written over in place never move the list under the reader.
    expect(await page.locator('.table-scroll').evaluate((el) => el.scrollTop)).toBe(8_000);
  });

  it('keeps the control a keyboard focused in the page wherever the list is scrolled to, and Tab goes on from it', async () => {
    const scroller = page.locator('.table-scroll');
    await scroller.evaluate((el) => (el.scrollTop = 0));
    const name = page.getByRole('button', { name: 'w-000', exact: true });
    await name.focus();
    // Focus moved by the keyboard, as a keyboard-only user's is.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const focused = () =>
      page.evaluate(() => ({ text: document.activeElement?.textContent, shown: document.activeElement!.getClientRects().length > 0 }));
    expect(await focused()).toEqual({ text: 'w-000', shown: true });
    // To the end at once (as End, Page Down held, or the scrollbar dragged): far past the row.
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.getByRole('button', { name: 'w-249', exact: true }).waitFor();
    expect(await focused()).toEqual({ text: 'w-000', shown: true });
    expect(await rows().count()).toBeLessThan(80);
    // The held row sits in its own place: the first row, far above the ones on screen.
    expect(await page.locator('tr:has(button:text-is("w-000"))').getAttribute('aria-rowindex')).toBe('2');
    await scroller.evaluate((el) => (el.scrollTop = 0));
    await page.getByRole('button', { name: 'w-001', exact: true }).waitFor();
    expect(await focused()).toEqual({ text: 'w-000', shown: true });
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement!.closest('tr')?.getAttribute('aria-rowindex'))).toBe('2');
  });

  it('sorts by name and by creation, either way, from the column headers', async () => {
    const first = async () => (await rows().first().getByRole('button').first().textContent())?.trim();
    await page.getByRole('button', { name: /^Name/ }).click();
    await page.waitForFunction(() => document.querySelector('tr[aria-rowindex="2"]')?.textContent?.includes('w-000'));
    expect(await page.getByRole('columnheader', { name: /^Name/ }).getAttribute('aria-sort')).toBe('ascending');
    await page.getByRole('button', { name: /^Name/ }).click();
    await page.getByRole('button', { name: 'w-249', exact: true }).waitFor();
    expect(await first()).toBe('w-249');
    expect(await page.getByRole('columnheader', { name: /^Name/ }).getAttribute('aria-sort')).toBe('descending');
    await page.getByRole('button', { name: /^Created/ }).click();
    await page.getByRole('button', { name: 'w-249', exact: true }).waitFor();
    expect(await page.getByRole('columnheader', { name: /^Created/ }).getAttribute('aria-sort')).toBe('ascending');
    await page.getByRole('button', { name: /^Created/ }).click();
    await page.getByRole('button', { name: 'w-000', exact: true }).waitFor();
  });

  it('chooses the columns shown, and this browser keeps the choice', async () => {
    await page.getByRole('button', { name: 'Columns ▾' }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Remark' }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Cookies' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('columnheader', { name: 'Cookies' }).waitFor();
    expect(await page.getByRole('columnheader', { name: 'Remark' }).count()).toBe(0);
    await page.reload();
    await page.getByRole('button', { name: 'w-000', exact: true }).waitFor();
    expect(await page.getByRole('columnheader', { name: 'Remark' }).count()).toBe(0);
    await page.getByRole('columnheader', { name: 'Cookies' }).waitFor();
  });

  it('tags a window and binds its saved proxy in its row, and several selected windows at once', async () => {
    const [w0, w1, w2] = (await cloud.post('/browser/list', { pageSize: 3 }, owner.token)).data.list as { id: number; name: string }[];
    await page.getByRole('button', { name: `Tags of ${w0.name}` }).click();
    await page.getByRole('menuitemcheckbox', { name: 'ads' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Tag ${w0.name} with ads` })
      .waitFor();
    await page.keyboard.press('Escape');
    expect((await detail(w0.id)).tagIds).toEqual([ads]);

    await page.getByRole('button', { name: `Proxy of ${w0.name}: No proxy` }).click();
    await page.getByRole('menuitem', { name: /team DE/ }).click();
    await page.getByRole('button', { name: `Proxy of ${w0.name}: team DE (socks5 10.0.0.7:1080)` }).waitFor();
    expect(await detail(w0.id)).toMatchObject({ proxyMethod: 4, proxyId });

    for (const w of [w1, w2]) await page.getByRole('checkbox', { name: `Select ${w.name}` }).check();
    await page.getByRole('button', { name: 'Tags ▾' }).click();
    await page.getByRole('menuitem', { name: 'Add vip' }).click();
    await page.getByRole('status').filter({ hasText: 'Tag 2 windows with vip' }).waitFor();
    expect((await detail(w1.id)).tags.map((t: { name: string }) => t.name)).toEqual(['vip']);
    // A second tag added straight after keeps the first, though the rows were chosen before either.
    await page.getByRole('button', { name: 'Tags ▾' }).click();
    await page.getByRole('menuitem', { name: 'Add ads' }).click();
    await page.getByRole('status').filter({ hasText: 'Tag 2 windows with ads' }).waitFor();
    const names = async (id: number) => ((await detail(id)).tags as { name: string }[]).map((t) => t.name).sort();
    expect([await names(w1.id), await names(w2.id)]).toEqual([
      ['ads', 'vip'],
      ['ads', 'vip'],
    ]);
    await page.getByRole('button', { name: 'Proxy ▾' }).click();
    await page.getByRole('menuitem', { name: /team DE/ }).click();
    await page.getByRole('status').filter({ hasText: 'Bind 2 windows to team DE' }).waitFor();
    expect([(await detail(w1.id)).proxyId, (await detail(w2.id)).proxyId]).toEqual([proxyId, proxyId]);
    // One way to take the proxy away: the Proxy menu's "No proxy", no second button for it.
    expect(await page.getByRole('button', { name: 'Remove proxy' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Tags ▾' }).click();
    await page.getByRole('menuitem', { name: 'Remove vip' }).click();
    await page.getByRole('status').filter({ hasText: 'Untag 2 windows from vip' }).waitFor();
    expect([await names(w1.id), await names(w2.id)]).toEqual([['ads'], ['ads']]);
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await screenshot(page, 'windows-assigned');
  });

  it('lets a member who may not see saved proxies still take the proxy off selected windows', async () => {
    const bound: { id: number; name: string }[] = [];
    for (const name of ['unproxied-a', 'unproxied-b'])
      bound.push({ id: (await createWindow(cloud, owner, { name, proxyMethod: 4, proxyId })).id, name });
    const member = await addMember(cloud, owner, { permissions: ['browser:list', 'browser:update:batch'] });
    const memberContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const memberPage = await signInConsole(memberContext, cloud.url, member);
    await memberPage.getByLabel('Search name or remark').fill('unproxied');
    await memberPage.getByRole('button', { name: 'Search' }).click();
    for (const w of bound) await memberPage.getByRole('checkbox', { name: `Select ${w.name}` }).check();
    expect(await memberPage.getByRole('button', { name: 'Proxy ▾' }).count()).toBe(0);
    await memberPage.getByRole('button', { name: 'Remove proxy' }).click();
    await memberPage.getByRole('status').filter({ hasText: 'Remove proxy: done' }).waitFor();
    for (const w of bound) expect(await detail(w.id)).toMatchObject({ proxyMethod: 2, proxyId: null });
    await memberContext.close();
  });

  it("shows a window's sheet: live status, cookies kept, profile versions with sizes and last sync, and what was done to it", async () => {
    const w = await createWindow(cloud, owner, { name: 'sheet window' });
    const cookie = { name: 'sid', value: 'v', domain: '.shop.test', path: '/', secure: true, httpOnly: true, sameSite: 'lax' };
    await cloud.post(
      '/browser/cookies/import',
      { id: w.id, cookies: [cookie, { ...cookie, name: 'b' }, { ...cookie, name: 'c' }] },
      owner.token,
    );
    await page.getByRole('button', { name: 'sheet window', exact: true }).click();
    const sheet = page.getByRole('dialog', { name: 'sheet window' });
    await sheet.getByText('No version yet').waitFor();
    expect(await sheet.locator('dd').allTextContents()).toContain('3');
    await sheet.getByText(/Window created/).waitFor();
    expect(await sheet.getByText(`by ${owner.email}`).count()).toBeGreaterThan(0);

    // A device opens it, syncs and closes: the badge follows each step live, and the version shows.
    const device = await line(cloud.url, owner.token);
    await device.hello({ hostname: 'desk-sheet' });
    // The owner's session is the device here, as the agent signed in with it would be.
    await cloud.post('/browser/launch', { uuid: w.uuid }, owner.token);
    await sheet.getByText('Opening on desk-sheet').waitFor();
    await cloud.post('/browser/open-status/update', { uuid: w.uuid, status: 'opened' }, owner.token);
    await sheet.getByText('Open on desk-sheet').waitFor();
    await cloud.post('/browser/open-status/update', { uuid: w.uuid, status: 'closing' }, owner.token);
    await sheet.getByText('Syncing on desk-sheet').waitFor();
    // A report repeated (a lease renewal) is no new event.
    await cloud.post('/browser/open-status/update', { uuid: w.uuid, status: 'closing' }, owner.token);
    const trail = await cloud.post('/audit/list', { windowId: w.id, kind: 'window.syncing' }, owner.token);
    expect(trail.data.total).toBe(1);
    const commit = await cloud.post(
      '/browser/profile/commit',
      { uuid: w.uuid, commitId: '6f1c2d3e-0000-4000-8000-0000000000dd', baseVersion: null, sync: {}, files: [] },
      owner.token,
    );
    expect(commit.code).toBe(0);
    expect((await cloud.post('/browser/close', { uuid: w.uuid }, owner.token)).code).toBe(0);
    await sheet.getByText('Closed', { exact: true }).waitFor();
    await sheet.getByRole('table', { name: 'Profile versions of sheet window' }).getByText('1 (current)').waitFor();
    expect(await sheet.getByRole('table', { name: 'Profile versions of sheet window' }).textContent()).toContain('0.0 MB, 0 files');
    expect(await sheet.locator('dd').allTextContents()).not.toContain('Never: the first close on a device syncs the profile');
    await screenshot(page, 'window-sheet');
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    device.close();
  });

  it('lays windows out as cards at phone width, without the page scrolling sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'w-000', exact: true }).waitFor();
    // Each value on a line of its own, named by its column.
    const cell = page.locator('td[data-label="Name"]').filter({ hasText: 'w-000' });
    expect(await cell.evaluate((el) => [getComputedStyle(el).display, getComputedStyle(el, '::before').content])).toEqual([
      'flex',
      '"Name"',
    ]);
    // Laid out again after the resize: the page itself never scrolls sideways.
    await page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth + 1, undefined, { timeout: 5_000 });
    const card = await rows().first().boundingBox();
    expect(card!.width).toBeLessThan(390);
    await screenshot(page, 'windows-cards-phone');
    // Reached by a link far along the pages' row (a reload of #/audit): its name is on screen.
    await page.goto(`${cloud.url}/#/audit`);
    await page.reload();
    const current = page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Audit log' });
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.waitForFunction(() => {
      const at = document.querySelector('nav[aria-label="Pages"] a[aria-current="page"]')!.getBoundingClientRect();
      return at.left >= 0 && at.right <= window.innerWidth;
    });
    expect(await current.getAttribute('aria-current')).toBe('page');
    await page.goto(`${cloud.url}/#/windows`);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('switches to the dark theme and keeps it after a reload', async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    await page.getByRole('button', { name: /^Theme: / }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const dark = await background();
    expect(dark).not.toBe(light);
    await page.reload();
    await page.getByRole('button', { name: 'w-000', exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await screenshot(page, 'windows-dark');
    // Dark from the first thing drawn: while the console's own script is still on its way, the
    // page's "Loading…" is already in the chosen theme.
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/assets/main-*.js', async (route) => {
      await held;
      await route.continue();
    });
    const reloaded = page.reload();
    await page.getByText('Loading…', { exact: true }).waitFor();
    // Set by the page's first script, before its body is read; the page's stylesheet (nothing is
    // drawn before it) then gives the dark background.
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor !== 'rgba(0, 0, 0, 0)');
    expect(await page.evaluate(() => [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor])).toEqual([
      'dark',
      dark,
    ]);
    release();
    await reloaded;
    await page.unroute('**/assets/main-*.js');
    await page.getByRole('button', { name: 'w-000', exact: true }).waitFor();
    // Back to light, then to the system's choice.
    await page.getByRole('button', { name: /^Theme: / }).click();
    await page.getByRole('button', { name: /^Theme: / }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
  });

  it("keeps each row's actions in view at the right edge while the wider columns scroll sideways, and a long name ends in an ellipsis", async () => {
    await page.locator('.table-scroll').evaluate((el) => (el.scrollTop = 0));
    const edit = page.getByRole('button', { name: 'Edit w-000', exact: true });
    await edit.waitFor();
    const box = page.locator('.table-scroll');
    // At 1280 px every column does not fit: the list scrolls sideways, its actions do not.
    expect(await box.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    for (const left of [0, 150, 10_000]) {
      await box.evaluate((el, left) => (el.scrollLeft = left), left);
      const [scroller, button, header] = [
        await box.boundingBox(),
        await edit.boundingBox(),
        await page.getByRole('columnheader', { name: 'Actions' }).boundingBox(),
      ];
      expect(button!.x).toBeGreaterThanOrEqual(scroller!.x);
      expect(button!.x + button!.width).toBeLessThanOrEqual(scroller!.x + scroller!.width);
      expect(header!.x + header!.width).toBeLessThanOrEqual(scroller!.x + scroller!.width + 1);
      // The name cell under it is not drawn over the button: the button is what a click there reaches.
      expect(
        await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.textContent, {
          x: button!.x + button!.width / 2,
          y: button!.y + button!.height / 2,
        }),
      ).toBe('Edit');
    }
    await box.evaluate((el) => (el.scrollLeft = 0));
    // A name wider than its cell ends in "…" inside the cell, not cut off at the cell's edge: the
    // Name column narrowed for the check (the table lays out by its header row), then put back.
    const nameHeader = page.getByRole('columnheader', { name: /^Name/ });
    const width = await nameHeader.evaluate((th) => {
      const was = th.style.width;
      th.style.width = '3rem';
      return was;
    });
    const fits = await page.getByRole('button', { name: 'w-000', exact: true }).evaluate((button) => ({
      inside: button.getBoundingClientRect().right <= button.closest('td')!.getBoundingClientRect().right,
      clipped: button.scrollWidth > button.clientWidth,
      ellipsis: getComputedStyle(button).textOverflow,
    }));
    await nameHeader.evaluate((th, was) => (th.style.width = was), width);
    expect(fits).toEqual({ inside: true, clipped: true, ellipsis: 'ellipsis' });
  });

  it('keeps the tag menu button of a window with many tags inside its cell, and names every tag', async () => {
    const many = [];
    for (const name of ['wholesale-buyers', 'warmup-week-2', 'banned-on-amazon']) many.push(await createTag(cloud, owner, name));
    await createWindow(cloud, owner, { name: 'many tags', tagIds: many });
    await page.getByLabel('Search name or remark').fill('many tags');
    await page.getByRole('button', { name: 'Search' }).click();
    const button = page.getByRole('button', { name: 'Tags of many tags', exact: true });
    await button.waitFor();
    const seen = await button.evaluate((el) => {
      const cell = el.closest('td')!.getBoundingClientRect();
      const at = el.getBoundingClientRect();
      return { inside: at.left >= cell.left && at.right <= cell.right, title: el.closest('.chips')?.getAttribute('title') };
    });
    expect(seen).toEqual({ inside: true, title: 'banned-on-amazon, warmup-week-2, wholesale-buyers' });
    await page.getByLabel('Search name or remark').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
  });
});
