import type { AgentHarness } from '../support/agent-app';
import type { CloudHarness } from '../support/cloud-app';
import { closeDevices, startDevices } from '../support/devices';
import { Account, createWindow, registerOwner } from '../support/factories';
import { attach } from '../support/firefox';
import { KillableCloud, startKillableCloud } from '../support/killable-cloud';
import { startTestSite, TestSite } from '../support/test-site';

jest.setTimeout(240_000);

/**
 * What the cloud says a window's cookies are is what its next open has: on the device whose
 * profile copy holds older cookies, and on a device that pulls a roaming version made before.
 */
describe("a window's cookies as the cloud stores them are the ones its next open has", () => {
  let killable: KillableCloud;
  let cloud: CloudHarness;
  let deviceA: AgentHarness;
  let deviceB: AgentHarness;
  let owner: Account;
  let site: TestSite;
  const host = '127.0.0.1';
  const cookie = (name: string, value: string) => ({
    name,
    value,
    domain: host,
    path: '/',
    secure: false,
    httpOnly: false,
    sameSite: 'lax',
  });

  /** Opens the window on `agent`, answers what a page of the site sees, and optionally sets more cookies. */
  async function openAndLook(agent: AgentHarness, uuid: string, set: string[] = []): Promise<string[]> {
    const opened = await agent.post('/browser/open', { uuid });
    expect(opened).toMatchObject({ code: 0 });
    const browser = await attach(opened.data.wsEndpoint);
    const page = await browser.newPage();
    await page.goto(`${site.url}/plain`);
    const seen = (await page.evaluate(() => document.cookie)).split('; ').filter(Boolean).sort();
    for (const line of set) await page.evaluate((l) => (document.cookie = l), line);
    await browser.disconnect();
    return seen;
  }
  const close = async (agent: AgentHarness, uuid: string) => {
    const closed = await agent.post('/browser/close', { uuid });
    expect(closed).toMatchObject({ code: 0, data: { backendClose: { cookiesSynced: true } } });
    return closed;
  };
  const stored = async (uuid: string) =>
    ((await cloud.post('/browser/cookies/export', { uuid }, owner.token)).data.cookies as { name: string; value: string }[])
      .map((c) => `${c.name}=${c.value}`)
      .sort();

  beforeAll(async () => {
    killable = await startKillableCloud();
    cloud = killable.cloud;
    owner = await registerOwner(cloud);
    site = await startTestSite();
    [deviceA, deviceB] = await startDevices(owner, [killable.url, killable.url]);
  });
  afterAll(async () => {
    await closeDevices([deviceA, deviceB]);
    await site.close();
    await killable.close();
  });

  it('an import that replaces them wins over the profile copy on the same device and over a roaming version on a fresh one', async () => {
    const w = await createWindow(cloud, owner, { config: { syncCookies: true, syncLocalStorage: true } });
    await openAndLook(deviceA, w.uuid, ['old=1; max-age=86400; path=/', 'kept=1; max-age=86400; path=/']);
    await close(deviceA, w.uuid);
    expect(await stored(w.uuid)).toEqual(['kept=1', 'old=1']);

    // Replaced while closed: device A's own profile copy still holds old and kept.
    const replaced = await cloud.post(
      '/browser/cookies/import',
      { uuid: w.uuid, mode: 'replace', cookies: [cookie('imported', 'x')] },
      owner.token,
    );
    expect(replaced).toMatchObject({ code: 0, data: { mode: 'replace', total: 1 } });
    expect(await openAndLook(deviceA, w.uuid, ['after=1; max-age=86400; path=/'])).toEqual(['imported=x']);
    await close(deviceA, w.uuid);
    expect(await stored(w.uuid)).toEqual(['after=1', 'imported=x']);
    // A merge adds to what the window holds; the next open on A has both, nothing dropped.
    await cloud.post('/browser/cookies/import', { uuid: w.uuid, mode: 'merge', cookies: [cookie('merged', 'm')] }, owner.token);
    expect(await openAndLook(deviceA, w.uuid)).toEqual(['after=1', 'imported=x', 'merged=m']);
    await close(deviceA, w.uuid);

    // Replaced again: device B has never opened the window and pulls the roaming version, whose cookie jar is older.
    await cloud.post('/browser/cookies/import', { uuid: w.uuid, mode: 'replace', cookies: [cookie('second', 'y')] }, owner.token);
    const versions = (await cloud.post('/browser/profile/versions', { uuid: w.uuid }, owner.token)).data;
    expect(versions.current).toBeGreaterThanOrEqual(3);
    expect(await openAndLook(deviceB, w.uuid)).toEqual(['second=y']);
    await close(deviceB, w.uuid);
    // And A, whose copy is older still, has the same.
    expect(await openAndLook(deviceA, w.uuid)).toEqual(['second=y']);
    await close(deviceA, w.uuid);
    expect(await stored(w.uuid)).toEqual(['second=y']);
  });

  it('a cookie the browser holds that no window can store (a tab in its value) is left out at the close, named, and the rest sync', async () => {
    const w = await createWindow(cloud, owner, { config: { syncCookies: true } });
    await openAndLook(deviceA, w.uuid, ['good=1; max-age=86400; path=/', 'tabbed=a\tb; max-age=86400; path=/']);
    const closed = await close(deviceA, w.uuid);
    expect(closed.data.cookies).toEqual({
      synced: true,
      count: 1,
      refused: [{ name: 'tabbed', domain: host, reason: expect.stringContaining('value must be') }],
    });
    expect(closed.data.close.profileSync).toMatchObject({ version: 1, pending: false });
    expect(await stored(w.uuid)).toEqual(['good=1']);
    const text = (await deviceA.post('/browser/cookies/export', { uuid: w.uuid, format: 'netscape' })).data.text as string;
    const lines = text.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(lines).toEqual([expect.stringMatching(/^127\.0\.0\.1\tFALSE\t\/\tFALSE\t\d+\tgood\t1$/)]);
  });
});
