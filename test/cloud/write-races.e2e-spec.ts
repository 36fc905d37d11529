import { randomUUID } from 'node:crypto';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createTag, registerOwner } from '../support/factories';

jest.setTimeout(120_000);

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/**
 * Two writers at once, each interleaving made, not hoped for: another transaction holds a row
 * the first writer needs, so it stops right after its checks; the second writer is sent then (or
 * is that transaction itself), and the row is let go once the second has answered or waits itself.
 * No call may end in a 500.
 */
let cloud: CloudHarness;
let owner: Account;
beforeAll(async () => {
  cloud = await startCloud({ env: { DATABASE_POOL_SIZE: '20' } });
  owner = await registerOwner(cloud);
});
afterAll(() => cloud.close());

type Answer = { code: number; msg: string; data: any };

/** Statements of this database waiting on a lock whose text starts with `prefix`. */
async function waiting(prefix: string): Promise<number> {
  const [{ n }] = await cloud.db.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`,
    [`${prefix}%`],
  );
  return n;
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * `hold` run in a transaction of its own; `first` sent and, once it waits on a lock (on
 * `firstWaits`, its statement's start), `second` sent; the transaction committed once `second`
 * has answered or waits too (on one of `second.waits`), or at once without a second.
 */
async function interleave(steps: {
  hold: string;
  holdParams: unknown[];
  first: () => Promise<Answer>;
  firstWaits: string;
  second?: { call: () => Promise<Answer>; waits: string[] };
}): Promise<{ first: Answer; second?: Answer }> {
  const holder = cloud.db.createQueryRunner();
  await holder.connect();
  await holder.startTransaction();
  try {
    await holder.query(steps.hold, steps.holdParams);
    const first = steps.first();
    await until('the first call to wait', async () => (await waiting(steps.firstWaits)) > 0);
    let answered = false;
    const second = steps.second?.call().finally(() => (answered = true));
    const secondWaits = async () => {
      for (const prefix of steps.second!.waits) if ((await waiting(prefix)) > 0) return true;
      return false;
    };
    if (steps.second) await until('the second call to answer or wait', async () => answered || (await secondWaits()));
    await holder.commitTransaction();
    return { first: await first, second: await second };
  } finally {
    if (holder.isTransactionActive) await holder.rollbackTransaction();
    await holder.release();
  }
}

/**
 * A tag or a saved proxy deleted while a window is being written with it. The write holds the tags
 * and the proxy it found until it commits, so the delete waits for it: a tag is then taken off
 * that window too, and a proxy is refused as bound to it, never the foreign-key failure of a
 * window pointing at a row deleted in between. The held row is the team's, which a new window's
 * number needs.
 */
describe('a tag or saved proxy deleted while a window is written with it', () => {
  const removeDuring = async (remove: () => Promise<Answer>, removing: string, write: () => Promise<Answer>) => {
    const { first, second } = await interleave({
      hold: `SELECT id FROM teams WHERE id = $1 FOR UPDATE`,
      holdParams: [owner.teamId],
      first: write,
      firstWaits: 'UPDATE teams SET window_seq',
      second: { call: remove, waits: [removing] },
    });
    return { written: first, deleted: second! };
  };

  const deleteTag = (id: number) => () => cloud.post('/tag/delete', { id }, owner.token);
  const tagsOf = async (windowId: number, tag: number) =>
    (await cloud.db.query(`SELECT count(*)::int AS n FROM window_tags WHERE window_id = $1 AND tag_id = $2`, [windowId, tag]))[0].n;

  it('a window created with the tag is created, then the delete takes the tag off it', async () => {
    const tag = await createTag(cloud, owner);
    const { written, deleted } = await removeDuring(deleteTag(tag), 'DELETE FROM "tags"', () =>
      cloud.post('/browser/update', { name: unique('window'), tagIds: [tag] }, owner.token),
    );
    expect([written.code, written.msg]).toEqual([0, 'success']);
    expect(written.data.tags.map((t: { id: number }) => t.id)).toEqual([tag]);
    expect(deleted.code).toBe(0);
    expect(await tagsOf(written.data.id, tag)).toBe(0);
    const [{ n }] = await cloud.db.query(`SELECT count(*)::int AS n FROM tags WHERE id = $1`, [tag]);
    expect(n).toBe(0);
  });

  it('an import naming the tag creates its windows, then the delete takes the tag off them', async () => {
    const name = unique('tag');
    const tag = await createTag(cloud, owner, name);
    const { written, deleted } = await removeDuring(deleteTag(tag), 'DELETE FROM "tags"', () =>
      cloud.post(
        '/browser/import',
        {
          rows: [
            { name: unique('imported'), tags: [name] },
            { name: unique('imported'), tags: [name] },
          ],
        },
        owner.token,
      ),
    );
    expect([written.code, written.msg]).toEqual([0, 'success']);
    expect(written.data).toMatchObject({ created: 2, failed: 0 });
    expect(deleted.code).toBe(0);
    for (const row of written.data.rows) expect(await tagsOf(row.id, tag)).toBe(0);
  });

  it('a window bound to a saved proxy is created, and the delete of that proxy is refused as in use', async () => {
    const saved = await cloud.post('/proxy/add', { name: unique('proxy'), proxyType: 'http', host: '127.0.0.1', port: 3128 }, owner.token);
    expect(saved.code).toBe(0);
    const proxyId: number = saved.data.id;
    const { written, deleted } = await removeDuring(
      () => cloud.post('/proxy/delete', { id: proxyId }, owner.token),
      'SELECT id FROM proxies WHERE id = $1 AND team_id = $2 FOR UPDATE',
      () => cloud.post('/browser/update', { name: unique('window'), proxyMethod: 4, proxyId }, owner.token),
    );
    expect([written.code, written.msg]).toEqual([0, 'success']);
    expect(written.data.proxyId).toBe(proxyId);
    expect(deleted.code).toBe(409);
    expect(deleted.msg).toMatch(/used by 1 window/);
    const [{ n }] = await cloud.db.query(`SELECT count(*)::int AS n FROM proxies WHERE id = $1`, [proxyId]);
    expect(n).toBe(1);
  });
});

/**
 * A tag deleted while a batch edits a window and takes the tag off it. The batch holds its windows, then the team's
 * list version (moved by its window update), then the window's join rows; the delete now takes the
 * windows carrying the tag first, so it waits for the batch. It used to take the tag and that
 * window's join row first and then wait for the list version, while the batch waited for the join
 * row: a deadlock, answered 500. The held row is the team's list version, let go once both wait.
 */
describe('a tag deleted while a batch takes it off a window', () => {
  it('both are done, one after the other, neither in a deadlock', async () => {
    const [dropped, kept] = [await createTag(cloud, owner), await createTag(cloud, owner)];
    const made = await cloud.post('/browser/update', { name: unique('window'), tagIds: [dropped] }, owner.token);
    expect(made.code).toBe(0);
    const { first, second } = await interleave({
      hold: `SELECT version FROM window_list_versions WHERE team_id = $1 FOR UPDATE`,
      holdParams: [owner.teamId],
      first: () => cloud.post('/browser/update/partial', { ids: [made.data.id], tagIds: [kept], remark: 'moved' }, owner.token),
      firstWaits: 'UPDATE windows SET',
      second: {
        call: () => cloud.post('/tag/delete', { id: dropped }, owner.token),
        waits: ['DELETE FROM "tags"', 'SELECT id FROM windows WHERE team_id'],
      },
    });
    expect([first.code, first.msg]).toEqual([0, 'success']);
    expect([second!.code, second!.msg]).toEqual([0, 'success']);
    const tags = await cloud.db.query(`SELECT tag_id FROM window_tags WHERE window_id = $1`, [made.data.id]);
    expect(tags).toEqual([{ tag_id: kept }]);
  });
});

/**
 * An email taken by another team while a sign-up or a new member is being written with it (no lock
 * spans teams): the unique index decides, and the loser is answered 409 as if it had been taken
 * before, not a 500. The held row is an uncommitted account with that email in another team.
 */
describe('an email taken by another team meanwhile', () => {
  const takeMeanwhile = async (email: string, write: () => Promise<Answer>) => {
    const other = await registerOwner(cloud);
    const { first } = await interleave({
      hold: `INSERT INTO users (team_id, email, name, password_hash, role) VALUES ($1, $2, '', 'x', 'member')`,
      holdParams: [other.teamId, email],
      first: write,
      firstWaits: 'INSERT INTO "users"',
    });
    return first;
  };

  it('a sign-up is refused as registered already', async () => {
    const email = `${unique('taken')}@example.com`;
    const answer = await takeMeanwhile(email, () => cloud.post('/auth/register', { email, password: 'owner-password-1' }));
    expect([answer.code, answer.msg]).toEqual([409, 'Email already registered']);
    const [{ n }] = await cloud.db.query(`SELECT count(*)::int AS n FROM users WHERE lower(email) = lower($1)`, [email]);
    expect(n).toBe(1);
  });

  it('a new member is refused as registered already, and the team is unchanged', async () => {
    const email = `${unique('taken')}@example.com`;
    const before = await cloud.db.query(`SELECT id FROM users WHERE team_id = $1 ORDER BY id`, [owner.teamId]);
    const answer = await takeMeanwhile(email, () => cloud.post('/team/member/add', { email, password: 'member-password-1' }, owner.token));
    expect([answer.code, answer.msg]).toEqual([409, 'Email already registered']);
    expect(await cloud.db.query(`SELECT id FROM users WHERE team_id = $1 ORDER BY id`, [owner.teamId])).toEqual(before);
  });
});
