import { Browser, Page } from 'playwright-core';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { ensureConsoleBuilt } from '../support/console-build';
import { launchChromium, screenshot, signInConsole } from '../support/console-browser';
import { Account, addMember, createWindow, registerOwner } from '../support/factories';

jest.setTimeout(180_000);

/** The Variables page in Chromium: team values and a window's own, secrets never shown, and who may change them. */
describe('variables in the web console', () => {
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

  /** Sets a variable with the form of the list titled `title`. */
  async function setVariable(page: Page, title: string, name: string, value: string, secret = false) {
    const form = page.getByRole('form', { name: `Set a variable: ${title}` });
    await form.getByLabel('Name').fill(name);
    if (secret) await form.getByLabel('Secret').check();
    await form.getByLabel('Value').fill(value);
    await form.getByRole('button', { name: 'Set variable' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Set ${name}: done` })
      .waitFor();
  }

  it('sets team values and a window’s own, never shows a secret, deletes after asking; the run form names what the team keeps', async () => {
    const context = await browser.newContext();
    const page = await signInConsole(context, cloud.url, owner);
    const answers: string[] = [];
    page.on('response', (r) => void (r.url().endsWith('/variable/list') && r.text().then((t) => answers.push(t))));
    const w = await createWindow(cloud, owner, { name: 'shop-1' });
    const password = 'team-pa55-Zq8-console';

    await page.getByRole('link', { name: 'Variables' }).click();
    await page.getByText('then the value typed for the run, then the window').waitFor();
    await setVariable(page, 'Team variables', 'site', 'https://team.example');
    await page.getByRole('form', { name: 'Set a variable: Team variables' }).getByLabel('Secret').check();
    await expect(page.getByRole('form', { name: 'Set a variable: Team variables' }).getByLabel('Value').getAttribute('type')).resolves.toBe(
      'password',
    );
    await setVariable(page, 'Team variables', 'password', password, true);
    const team = page.getByRole('table', { name: 'Team variables' });
    await team.getByRole('row').filter({ hasText: 'secret — hidden' }).filter({ hasText: 'password' }).waitFor();
    await team.getByRole('cell', { name: 'https://team.example' }).waitFor();
    // A refusal shows the cloud's words, and nothing is added.
    const form = page.getByRole('form', { name: 'Set a variable: Team variables' });
    await form.getByLabel('Name').fill('9lives');
    await form.getByLabel('Value').fill('x');
    await form.getByRole('button', { name: 'Set variable' }).click();
    await page.getByRole('status').filter({ hasText: 'Set 9lives failed: name must be letters, digits and _' }).waitFor();
    await expect(team.getByRole('row').count()).resolves.toBe(3);

    // The window's own values, picked by its id.
    await page.getByLabel('Window id').fill(String(w.id));
    await page.getByRole('button', { name: 'Show its own values' }).click();
    const title = `Own values of window shop-1 (#${w.id})`;
    await page.getByRole('heading', { name: title }).waitFor();
    await setVariable(page, title, 'login', 'alice');
    await page.getByRole('table', { name: title }).getByRole('cell', { name: 'alice' }).waitFor();
    expect((await cloud.post('/variable/list', { windowId: w.id }, owner.token)).data.list).toMatchObject([
      { name: 'login', value: 'alice', secret: false },
    ]);

    // Delete asks first, naming the variable; cancel keeps it.
    await team.getByRole('button', { name: 'Delete site' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Delete variable site?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog.count()).resolves.toBe(0);
    await team.getByRole('button', { name: 'Delete site' }).click();
    await dialog.getByRole('button', { name: 'Delete site' }).click();
    await page.getByRole('status').filter({ hasText: 'Delete site: done' }).waitFor();
    await team.getByRole('cell', { name: 'https://team.example' }).waitFor({ state: 'detached' });
    expect((await cloud.post('/variable/list', {}, owner.token)).data.list.map((v: { name: string }) => v.name)).toEqual(['password']);

    await screenshot(page, 'variables');
    expect(await page.content()).not.toContain(password);
    expect(await page.locator('body').innerText()).not.toContain(password);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.join('')).not.toContain(password);

    // The run form says which of the task's variables the team keeps.
    await cloud.post(
      '/task/create',
      {
        name: 'Sign in',
        steps: [
          { type: 'type', selector: '#login', text: '{{login}}' },
          { type: 'type', selector: '#password', text: '{{password}}' },
        ],
      },
      owner.token,
    );
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText("Kept by the team (type them only to replace the team's value): password.").waitFor();
    await context.close();
  });

  it('shows a member without variable:manage the values but no set or delete', async () => {
    await cloud.post('/variable/set', { name: 'region', value: 'eu' }, owner.token);
    const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'all' });
    const context = await browser.newContext();
    const page = await signInConsole(context, cloud.url, member);
    await page.getByRole('link', { name: 'Variables' }).click();
    await page.getByRole('table', { name: 'Team variables' }).getByRole('cell', { name: 'eu', exact: true }).waitFor();
    await expect(page.getByRole('button', { name: 'Set variable' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: /^Delete / }).count()).resolves.toBe(0);
    await context.close();
  });
});
