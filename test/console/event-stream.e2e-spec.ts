import { Browser, Response } from 'playwright-core';
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

  it('for an expired token: renewed and opened again, and the page reads who it is once, not for the refusal as well', async () => {
    const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'all' });
    await createWindow(cloud, owner, { name: 'stream view' });
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
      (await signIn(cloud, owner)).token,
    );
    expect(granted).toMatchObject({ code: 0 });
    await page.getByRole('button', { name: 'Edit stream view' }).waitFor();
    // Longer than the page waits between two tries of the stream.
    await new Promise((r) => setTimeout(r, 3000));
    expect(seen).toEqual(['refused', 'stream', 'me']);
    await context.close();
  });
});
