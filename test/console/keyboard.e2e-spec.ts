import { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { ensureConsoleBuilt } from '../support/console-build';
import { launchChromium, screenshot } from '../support/console-browser';
import { describeFocus, focusAfterClose, isFocused, tabTo } from '../support/console-keyboard';
import { Account, createGroup, createWindow, registerOwner } from '../support/factories';

jest.setTimeout(180_000);

/**
 * The console's main paths with the keyboard alone: Tab and Shift+Tab to move, Enter and Space to
 * act, Escape to leave, arrow keys in a select. No clicks and no fill: text is typed where the
 * focus is, as a keyboard user would type it.
 */
describe('the web console with the keyboard alone', () => {
  let cloud: CloudHarness;
  let browser: Browser;
  let owner: Account;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: { CONSOLE_DIR: ensureConsoleBuilt() } });
    owner = await registerOwner(cloud);
    await createGroup(cloud, owner, 'Keyboard group');
    await createWindow(cloud, owner, { name: 'keyboard existing' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await cloud?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  });
  afterEach(() => context?.close());

  const nav = (title: string) => page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: title, exact: true });

  /** Tabs to `field` and types `text` into it. */
  const typeInto = async (field: Locator, text: string) => {
    await tabTo(page, field);
    await page.keyboard.type(text);
  };

  async function signInByKeyboard(): Promise<void> {
    await page.goto(`${cloud.url}/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await typeInto(page.getByLabel('Email'), owner.email);
    await typeInto(page.getByLabel('Password'), owner.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Windows', level: 1 }).waitFor();
  }

  /** Follows the navigation link `title` with Tab and Enter. */
  async function goTo(title: string): Promise<void> {
    await tabTo(page, nav(title));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: title, level: 1 }).waitFor();
    expect(await nav(title).getAttribute('aria-current')).toBe('page');
  }

  it('signs in and goes from page to page through the navigation', async () => {
    await signInByKeyboard();
    await goTo('Devices');
    // Back the other way: Shift+Tab reaches the link before.
    await tabTo(page, nav('Windows'), 10, true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Windows', level: 1 }).waitFor();
    await page.getByRole('cell', { name: 'keyboard existing', exact: true }).waitFor();
  });

  it('creates a window with the New window form', async () => {
    await signInByKeyboard();
    await goTo('Windows');
    await tabTo(page, page.getByRole('button', { name: 'New window', exact: true }));
    await page.keyboard.press('Enter');
    const form = page.getByRole('dialog');
    await form.waitFor();
    await typeInto(form.getByLabel('Name', { exact: true }), 'Typed by keyboard');
    await tabTo(page, form.getByRole('button', { name: 'Create', exact: true }));
    await screenshot(page, 'keyboard-new-window');
    await page.keyboard.press('Enter');
    await form.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'Typed by keyboard', exact: true }).waitFor();
    expect((await cloud.post('/browser/list', { keyword: 'Typed by keyboard' }, owner.token)).data.total).toBe(1);
  });

  it('ticks a window with Space and moves it to a group through the batch bar', async () => {
    await signInByKeyboard();
    const box = page.getByRole('checkbox', { name: 'Select keyboard existing' });
    await page.getByRole('cell', { name: 'keyboard existing', exact: true }).waitFor();
    await tabTo(page, box);
    await page.keyboard.press('Space');
    expect(await box.isChecked()).toBe(true);
    // The batch bar appears where the page puts it: above the table is Shift+Tab away, below it Tab.
    const group = page.getByRole('region', { name: 'Selected windows' }).getByLabel('Move to group');
    await group.waitFor();
    await tabTo(page, group, 80, await precedes(group, box));
    for (let i = 0; i < 10 && !(await selectedLabel(group)).includes('Keyboard group'); i++) await page.keyboard.press('ArrowDown');
    expect(await selectedLabel(group)).toBe('Keyboard group');
    const move = page.getByRole('button', { name: 'Move', exact: true });
    await tabTo(page, move);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Move to group: done' }).waitFor();
    const moved = (await cloud.post('/browser/list', { keyword: 'keyboard existing' }, owner.token)).data.list[0];
    const groups = (await cloud.post('/group/list', {}, owner.token)).data.list as { id: number; name: string }[];
    expect(moved.groupId).toBe(groups.find((g) => g.name === 'Keyboard group')!.id);
  });

  it('closes a dialog with Escape and gives the focus back to the button that opened it', async () => {
    await signInByKeyboard();
    const opener = page.getByRole('button', { name: 'Import windows…', exact: true });
    await tabTo(page, opener);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Import windows' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect({ focused: await focusAfterClose(page, opener) }).toEqual({ focused: 'button "Import windows…"' });
    expect(await isFocused(opener)).toBe(true);
  });

  it('a dialog takes the focus as it opens and keeps it while Tab goes round', async () => {
    await signInByKeyboard();
    await tabTo(page, page.getByRole('button', { name: 'New window', exact: true }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const inside = () => dialog.evaluate((d) => d.contains(document.activeElement));
    const where = async () => ((await inside()) ? 'in the dialog' : `outside the dialog, on ${await describeFocus(page)}`);
    expect(await where()).toBe('in the dialog');
    const left: string[] = [];
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      if (!(await inside())) left.push(`after Tab ${i + 1}: ${await describeFocus(page)}`);
    }
    expect(left).toEqual([]);
  });

  it('opens the Invite form on the Members page', async () => {
    await signInByKeyboard();
    await goTo('Members');
    await tabTo(page, page.getByRole('button', { name: 'Invite', exact: true }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Invite a member' });
    await dialog.waitFor();
    await typeInto(dialog.getByLabel('Email'), 'typed@example.com');
    expect(await dialog.getByLabel('Email').inputValue()).toBe('typed@example.com');
  });
});

const selectedLabel = (select: Locator) => select.evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.text ?? '');

/** Whether `a` comes before `b` in the document, so that Shift+Tab from `b` is the way to it. */
async function precedes(a: Locator, b: Locator): Promise<boolean> {
  const other = await b.elementHandle();
  return a.evaluate((el, then) => Boolean(el.compareDocumentPosition(then as Node) & Node.DOCUMENT_POSITION_FOLLOWING), other);
}
