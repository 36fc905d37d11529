import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createWindow, registerOwner } from '../support/factories';

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stream the test holds: what it was sent, and whether the cloud ended it. */
interface Held {
  text: string;
  ended: boolean;
  abort: () => void;
}

/**
 * A member's stream opened while their access changes: the caller was loaded as the request came
 * in, and a change committed before the stream was counted ended none of theirs. Such a stream
 * must not go on under the rights the member lost.
 */
describe('live events while a member’s access changes', () => {
  const TRIALS = 12;
  const OPENERS = 8;
  let cloud: CloudHarness;
  let owner: Account;

  beforeAll(async () => {
    cloud = await startCloud({
      listen: true,
      env: { EVENTS_STREAMS_PER_SESSION: '1000', EVENTS_STREAMS_PER_USER: '1000', EVENTS_STREAMS_PER_TEAM: '5000' },
    });
    owner = await registerOwner(cloud);
  });
  afterAll(() => cloud.close());

  /** Opens one stream as `token`; null when it was refused (its envelope, not events). */
  async function open(token: string): Promise<Held | null> {
    const controller = new AbortController();
    const response = await fetch(`${cloud.url}/events`, { headers: { Authorization: `Bearer ${token}` }, signal: controller.signal }).catch(
      () => null,
    );
    if (!response?.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
      await response?.text().catch(() => '');
      return null;
    }
    const held: Held = { text: '', ended: false, abort: () => controller.abort() };
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          held.text += value;
        }
      } catch {
        // Aborted by the test.
      }
      held.ended = true;
    })();
    return held;
  }

  /**
   * Members open and drop streams as fast as they can while the owner changes their access; every
   * stream opened from just before the change on is kept. Answers how many trials had a stream
   * still open that was sent the next window, which the member may no longer see.
   */
  async function trials(change: (member: Account) => Promise<{ code: number }>): Promise<string[]> {
    const leaks: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const member = await addMember(cloud, owner, { permissions: ['browser:list'], scope: 'all' });
      const kept: Held[] = [];
      let keeping = false;
      let stop = false;
      const opener = async () => {
        while (!stop) {
          const held = await open(member.token);
          if (!held) continue;
          if (keeping) kept.push(held);
          else held.abort();
        }
      };
      const openers = Array.from({ length: OPENERS }, opener);
      await sleep(150 + Math.random() * 150);
      keeping = true;
      expect(await change(member)).toMatchObject({ code: 0 });
      await sleep(5);
      stop = true;
      await Promise.all(openers);
      const window = await createWindow(cloud, owner, { name: `after change ${trial}` });
      await sleep(1000);
      const leaked = kept.filter((held) => !held.ended && held.text.includes(`"windowId":${window.id}`));
      if (leaked.length) leaks.push(`trial ${trial}: ${leaked.length} of ${kept.length} streams`);
      for (const held of kept) held.abort();
    }
    return leaks;
  }

  it('a member narrowed to no groups gets no stream on which an ungrouped window still arrives', async () => {
    const leaks = await trials((member) =>
      cloud.post(
        '/team/member/update',
        { userId: member.userId, permissions: ['browser:list'], scope: 'groups', groupIds: [] },
        owner.token,
      ),
    );
    expect(leaks).toEqual([]);
  });

  it('a removed member keeps no stream', async () => {
    const leaks = await trials((member) => cloud.post('/team/member/remove', { userId: member.userId }, owner.token));
    expect(leaks).toEqual([]);
  });
});
