import { Browser, Page, Response } from 'playwright-core';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { ensureConsoleBuilt } from '../support/console-build';
import { launchChromium, signInConsole } from '../support/console-browser';
import { Account, addMember, createWindow, registerOwner, signIn } from '../support/factories';

jest.setTimeout(120_000);

/** The console's live stream when the cloud refuses it: it answers with its envelope, which is not a stream. */
describe('the console’s event stream, refused', () => {
  const TTL_SECONDS = 5;
  let cloud: CloudHarness;
  let browser: Browser;
  let owner: Account;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: { CONSOLE_DIR: ensureConsoleBuilt(), ACCESS_TOKEN_TTL_SECONDS: String(TTL_SECONDS) } });
    owner = await registerOwner(cloud);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await cloud.close();
  });

  /** The owner, signed in again: their token lives only TTL_SECONDS too. */
  const fresh = () => signIn(cloud, owner);
  const UNREACHABLE = 'The cloud cannot be reached';
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** The owner changes the member's access, which ends the member's streams (the page asks for one again 2 s later). */
  const changeAccess = async (member: Account, permissions: string[]) =>
    expect(
      await cloud.post('/team/member/update', { userId: member.userId, permissions, scope: 'all' }, (await fresh()).token),
    ).toMatchObject({ code: 0 });
  /** Every `/events` request the page makes from now on, with the Last-Event-ID it sent. */
  const streamRequests = (page: Page) => {
    const sent: (string | undefined)[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/events') sent.push(request.headers()['last-event-id']);
    });
    return sent;
  };

  it('for an expired token: renewed and opened again, and the page reads who it is once, not for the refusal as well', async () => {
    const member = await addMember(cloud, await fresh(), { permissions: ['browser:list'], scope: 'all' });
    await createWindow(cloud, await fresh(), { name: 'stream view' });
    const context = await browser.newContext();
    const page = await signInConsole(context, cloud.url, member);
    await page.getByRole('cell', { name: 'stream view', exact: true }).waitFor();
    const seen: string[] = [];
    page.on('response', (response: Response) => {
      const path = new URL(response.url()).pathname;
      if (path === '/events') seen.push(response.headers()['content-type']?.startsWith('text/event-stream') ? 'stream' : 'refused');
      if (path === '/auth/me')
        void response.json().then(
          (answer: { code: number }) => answer.code === 0 && seen.push('me'),
          () => undefined,
        );
    });
    // Past the access token's life, the member's access changes: the cloud ends their stream, and the
    // page asks for it again with the expired token.
    await new Promise((r) => setTimeout(r, (TTL_SECONDS + 1) * 1000));
    const granted = await cloud.post(
      '/team/member/update',
      { userId: member.userId, permissions: ['browser:list', 'browser:update:single'], scope: 'all' },
      (await fresh()).token,
    );
    expect(granted).toMatchObject({ code: 0 });
    await page.getByRole('button', { name: 'Edit stream view' }).waitFor();
    // Longer than the page waits between two tries of the stream.
    await new Promise((r) => setTimeout(r, 3000));
    expect(seen).toEqual(['refused', 'stream', 'me']);
    await context.close();
  });

  it('a refresh that never answers is given up: the page says the cloud cannot be reached, then goes on once it answers', async () => {
    const member = await addMember(cloud, await fresh(), { permissions: ['browser:list'], scope: 'all' });
    const context = await browser.newContext();
    const page = await signInConsole(context, cloud.url, member);
    await pause((TTL_SECONDS + 1) * 1000);
    // The refresh the stream's refusal asks for is held without an answer.
    await context.route('**/auth/console/refresh', () => undefined);
    await changeAccess(member, ['browser:list', 'proxy:manage']);
    await page.getByText(UNREACHABLE).waitFor({ timeout: 30_000 });
    await context.unroute('**/auth/console/refresh');
    await page.getByText(UNREACHABLE).waitFor({ state: 'detached', timeout: 30_000 });
    // Still signed in, and following the change the stream's end was about.
    await page.getByRole('link', { name: 'Proxies' }).waitFor();
    await page.getByText(member.email, { exact: false }).waitFor();
    await context.close();
  });

  it('a refresh answered with a proxy error (502) is not a sign-out: the call says so, and the page stays signed in', async () => {
    const member = await addMember(cloud, await fresh(), { permissions: ['browser:list'], scope: 'all' });
    const context = await browser.newContext();
    const page = await signInConsole(context, cloud.url, member);
    await pause((TTL_SECONDS + 1) * 1000);
    let refused = 0;
    await context.route('**/auth/console/refresh', (route) =>
      refused++ === 0 ? route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' }) : route.continue(),
    );
    await page.getByRole('link', { name: 'Groups and tags' }).click();
    await page.getByText('the session could not be renewed just now').first().waitFor();
    await pause(2500);
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
    await context.close();
  });

  it('an answer that comes after signing out and in as someone else is dropped: the page stays the new user’s', async () => {
    const first = await addMember(cloud, await fresh(), { permissions: ['browser:list', 'webhook:manage'], scope: 'all' });
    const second = await addMember(cloud, await fresh(), { permissions: [], scope: 'all' });
    const context = await browser.newContext();
    const page = await signInConsole(context, cloud.url, first);
    // The /auth/me the stream's reopening asks for arrives late, after the switch.
    let held = 0;
    await context.route('**/auth/me', async (route) => {
      if (held++ > 0) return route.continue();
      // Answered by the cloud at once (for the first user), delivered to the page late.
      const answer = await route.fetch();
      await pause(5000);
      await route.fulfill({ response: answer }).catch(() => undefined);
    });
    await changeAccess(first, ['browser:list']);
    await page.waitForRequest((request) => new URL(request.url()).pathname === '/auth/me');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(second.email);
    await page.getByLabel('Password').fill(second.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(second.email, { exact: false }).first().waitFor();
    await pause(6000);
    expect(await page.getByText(first.email, { exact: false }).count()).toBe(0);
    await page.getByText(second.email, { exact: false }).first().waitFor();
    await context.close();
  });

  it('a stream a proxy relabelled is still read as a stream, not taken for a refusal', async () => {
    const member = await addMember(cloud, await fresh(), { permissions: ['browser:list'], scope: 'all' });
    const context = await browser.newContext();
    await context.route('**/events', (route) =>
      route.fulfill({ status: 200, contentType: 'application/octet-stream', body: ': open\n\nid: 1\nevent: ping\ndata: {}\n\n' }),
    );
    const page = await signInConsole(context, cloud.url, member);
    const sent = streamRequests(page);
    await pause(5000);
    expect(sent.length).toBeGreaterThan(0);
    expect(await page.getByText(UNREACHABLE).count()).toBe(0);
    await context.close();
  });

  it('a page served in the stream’s place (a proxy’s or a portal’s, even with 200) is not a stream: the page says the cloud cannot be reached', async () => {
    const member = await addMember(cloud, await fresh(), { permissions: ['browser:list'], scope: 'all' });
    const context = await browser.newContext();
    await context.route('**/events', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<html><body>502 Bad Gateway</body></html>' }),
    );
    const page = await signInConsole(context, cloud.url, member);
    await page.getByText(UNREACHABLE).waitFor();
    await context.unroute('**/events');
    await page.getByText(UNREACHABLE).waitFor({ state: 'detached' });
    await context.close();
  });

  it('an event id that is not one (a hostile proxy’s) is never sent back as Last-Event-ID', async () => {
    const member = await addMember(cloud, await fresh(), { permissions: ['browser:list'], scope: 'all' });
    const context = await browser.newContext();
    let served = 0;
    await context.route('**/events', (route) =>
      served++ === 0
        ? route.fulfill({ status: 200, contentType: 'text/event-stream', body: 'id: abc\nevent: ping\ndata: {}\n\n' })
        : route.continue(),
    );
    const page = await signInConsole(context, cloud.url, member);
    const sent = streamRequests(page);
    await pause(3500);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((id) => id === undefined)).toBe(true);
    expect(await page.getByText(UNREACHABLE).count()).toBe(0);
    await context.close();
  });
});
