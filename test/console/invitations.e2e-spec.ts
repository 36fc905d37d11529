import { Browser } from 'playwright-core';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { ensureConsoleBuilt } from '../support/console-build';
import { launchChromium, screenshot, signInConsole } from '../support/console-browser';
import { Account, addMember, registerOwner } from '../support/factories';

jest.setTimeout(180_000);

/** Invitations in Chromium: the owner invites, the new member opens the link in their own browser and sets their password. */
describe('invitations in the web console', () => {
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

  it('invites with a link shown once, the invitee joins signed in without the Members page, and the link is dead after', async () => {
    const ownerContext = await browser.newContext();
    await ownerContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: cloud.url });
    const page = await signInConsole(ownerContext, cloud.url, owner);
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a member' });
    await dialog.getByLabel('Email').fill('newcomer@example.com');
    // Each permission says what it allows.
    await dialog.getByText('List windows and read their details').waitFor();
    await dialog.getByRole('checkbox', { name: 'See windows' }).check();
    await dialog.getByRole('button', { name: 'Create invitation link' }).click();
    const linkField = page.getByLabel('Invitation link');
    await linkField.waitFor();
    const link = await linkField.inputValue();
    expect(link).toMatch(new RegExp(`^${cloud.url}/#/accept\\?token=[A-Za-z0-9_-]{43}$`));
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await screenshot(page, 'invitation-link');
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row').filter({ hasText: 'newcomer@example.com' });
    await row.getByRole('cell', { name: 'pending', exact: true }).waitFor();

    // The invitee, in a browser of their own.
    const inviteeContext = await browser.newContext();
    const invitee = await inviteeContext.newPage();
    await invitee.goto(link);
    await invitee.getByText('newcomer@example.com').waitFor();
    // The token left the address bar (and so the history) as the page opened.
    expect(invitee.url()).toBe(`${cloud.url}/#/accept`);
    await invitee.getByLabel('New password').fill('newcomer password');
    await invitee.getByLabel('Password again').fill('another password');
    await invitee.getByRole('button', { name: 'Join and sign in' }).click();
    await invitee.getByRole('status').filter({ hasText: 'The two passwords differ' }).waitFor();
    await invitee.getByLabel('Password again').fill('newcomer password');
    await screenshot(invitee, 'invitation-accept');
    await invitee.getByRole('button', { name: 'Join and sign in' }).click();
    await invitee.getByRole('heading', { name: 'Windows' }).waitFor();
    await invitee.getByText('newcomer@example.com (member').waitFor();
    expect(await invitee.getByRole('link', { name: 'Members' }).count()).toBe(0);
    // Signed in for good: a reload keeps the session through the cookie.
    await invitee.reload();
    await invitee.getByRole('heading', { name: 'Windows' }).waitFor();

    // The same link again, anywhere: no longer valid.
    const againContext = await browser.newContext();
    const again = await againContext.newPage();
    await again.goto(link);
    await again.getByRole('status').filter({ hasText: 'This invitation link is not valid any more' }).waitFor();
    expect(await again.getByLabel('New password').count()).toBe(0);

    await page.reload();
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('row').filter({ hasText: 'newcomer@example.com' }).getByRole('cell', { name: 'accepted', exact: true }).waitFor();
    await page.getByRole('cell', { name: 'See windows', exact: true }).first().waitFor();
    await Promise.all([ownerContext.close(), inviteeContext.close(), againContext.close()]);
  });

  it('an invitation link opened while signed in says who is signed in, keeps the token out of the address bar, and signs out to it', async () => {
    const made = await cloud.post('/team/invite/create', { email: 'second-browser@example.com' }, owner.token);
    expect(made.code).toBe(0);
    const context = await browser.newContext();
    const page = await signInConsole(context, cloud.url, owner);
    await page.goto(`${cloud.url}${made.data.path}`);
    await page.getByRole('heading', { name: 'An invitation link' }).waitFor();
    await page.getByText(`You are signed in here as ${owner.email}`).waitFor();
    expect(page.url()).toBe(`${cloud.url}/#/accept`);
    // Staying leaves the session as it was.
    await page.getByRole('link', { name: `Stay signed in as ${owner.email}` }).click();
    await page.getByRole('heading', { name: 'Windows' }).waitFor();

    await page.goto(`${cloud.url}${made.data.path}`);
    await page.getByRole('button', { name: 'Sign out and open the invitation' }).click();
    await page.getByText('second-browser@example.com').waitFor();
    expect(page.url()).toBe(`${cloud.url}/#/accept`);
    await page.getByLabel('New password').fill('second browser password');
    await page.getByLabel('Password again').fill('second browser password');
    await page.getByRole('button', { name: 'Join and sign in' }).click();
    await page.getByText('second-browser@example.com (member').waitFor();
    await context.close();
  });

  it('says before inviting that a member with no permissions or no group will see nothing, and such a member is told why', async () => {
    const context = await browser.newContext();
    const page = await signInConsole(context, cloud.url, owner);
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a member' });
    await dialog.getByLabel('Email').fill('empty-handed@example.com');
    const note = dialog.getByRole('note');
    await note.filter({ hasText: 'With no permissions, empty-handed@example.com can sign in but sees no windows' }).waitFor();
    await dialog.getByRole('checkbox', { name: 'See windows' }).check();
    expect(await note.count()).toBe(0);
    await dialog.getByRole('radio', { name: 'Only these groups' }).check();
    await note.filter({ hasText: 'With no group chosen, empty-handed@example.com sees no windows' }).waitFor();
    await dialog.getByRole('radio', { name: 'All windows' }).check();
    expect(await note.count()).toBe(0);
    await context.close();

    const bare = await addMember(cloud, owner, { permissions: [] });
    const memberContext = await browser.newContext();
    const member = await signInConsole(memberContext, cloud.url, bare, 'Devices');
    await member.getByRole('note').filter({ hasText: "Your access does not include the team's windows yet" }).waitFor();
    expect(await member.getByText('from the Windows page').count()).toBe(0);
    await memberContext.close();
  });

  it('revokes an invitation after a confirmation naming the email', async () => {
    const invited = await cloud.post('/team/invite/create', { email: 'later@example.com' }, owner.token);
    const context = await browser.newContext();
    const page = await signInConsole(context, cloud.url, owner);
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('button', { name: 'Revoke invitation for later@example.com' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revoke the invitation for later@example.com?' });
    await confirm.getByRole('button', { name: 'Revoke invitation' }).click();
    await page.getByRole('row').filter({ hasText: 'later@example.com' }).getByRole('cell', { name: 'revoked', exact: true }).waitFor();
    expect((await cloud.post('/auth/invite/check', { token: invited.data.token })).code).toBe(404);
    await context.close();
  });
});
