import { CloudClient } from '@cos/cloud-client';
import type { CloudSession } from '@cos/cloud-client';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, registerOwner } from '../support/factories';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The agent's client shares one session between its calls and its device line. A call that read the
 * session before another call rotated it gets its 401 late; it must go on with the rotated pair, not
 * spend the refresh token a second time (the cloud ends the whole session on a reused refresh token).
 */
describe("the agent's cloud client after its access token ran out", () => {
  let cloud: CloudHarness;
  let owner: Account;
  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: { ACCESS_TOKEN_TTL_SECONDS: '1' } });
    owner = await registerOwner(cloud);
  });
  afterAll(() => cloud.close());

  it('a call whose 401 comes back after another call refreshed goes on with the new tokens and keeps the session', async () => {
    let stored: CloudSession | null = null;
    let staleOnce: CloudSession | null = null;
    const store = {
      load: () => {
        const answer = staleOnce ?? stored;
        staleOnce = null;
        return answer;
      },
      save: (s: CloudSession) => (stored = s),
      clear: () => (stored = null),
    };
    const client = new CloudClient(cloud.url, store);
    await client.login(owner.email, owner.password);
    await pause(2_100);
    const before = stored!;
    // One call refreshes the expired token…
    expect((await client.call('/auth/me', {})).code).toBe(0);
    expect(stored!.refreshToken).not.toBe(before.refreshToken);
    // …while another had read the session before it did: its 401 arrives with the rotated pair stored.
    staleOnce = before;
    expect((await client.call('/auth/me', {})).code).toBe(0);
    expect(stored).not.toBeNull();
    expect((await client.call('/browser/list', {})).code).toBe(0);
  });

  it('a late 401 whose rotated pair has run out as well refreshes that pair and goes on', async () => {
    let stored: CloudSession | null = null;
    let staleOnce: CloudSession | null = null;
    const store = {
      load: () => {
        const answer = staleOnce ?? stored;
        staleOnce = null;
        return answer;
      },
      save: (s: CloudSession) => (stored = s),
      clear: () => (stored = null),
    };
    const client = new CloudClient(cloud.url, store);
    await client.login(owner.email, owner.password);
    await pause(2_100);
    const before = stored!;
    expect((await client.call('/auth/me', {})).code).toBe(0);
    const rotated = stored!;
    // The rotated pair's access token runs out before the stale call's 401 comes back.
    await pause(2_100);
    staleOnce = before;
    expect((await client.call('/auth/me', {})).code).toBe(0);
    expect(stored).not.toBeNull();
    expect(stored!.refreshToken).not.toBe(rotated.refreshToken);
    expect((await client.call('/browser/list', {})).code).toBe(0);
  });

  it('many calls at once after the token ran out all answer and leave one live session', async () => {
    let stored: CloudSession | null = null;
    const client = new CloudClient(cloud.url, { load: () => stored, save: (s) => (stored = s), clear: () => (stored = null) });
    await client.login(owner.email, owner.password);
    await pause(2_100);
    const answers = await Promise.all(Array.from({ length: 12 }, () => client.call('/auth/me', {})));
    expect(answers.map((a) => a.code)).toEqual(Array(12).fill(0));
    expect((await client.call('/browser/list', {})).code).toBe(0);
  });
});
