import { CloudHarness, startCloud } from '../support/cloud-app';
import { randomUUID } from 'node:crypto';
import { Account, createTag, registerOwner } from '../support/factories';

jest.setTimeout(120_000);

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/**
 * A tag or a saved proxy deleted while a window is being written with it. The write holds the tags
 * and the proxy it found until it commits, so the delete waits for it: a tag is then taken off
 * that window too, and a proxy is refused as bound to it. No call ends in the foreign-key failure
 * (a 500) of a window pointing at a row deleted in between.
 * The interleaving is made, not hoped for: another transaction holds the team's row, which a new
 * window's number needs, so the write stops right after its checks; the delete is sent then.
 */
describe('a tag or saved proxy deleted while a window is written with it', () => {
  let cloud: CloudHarness;
  let owner: Account;
  beforeAll(async () => {
    cloud = await startCloud({ env: { DATABASE_POOL_SIZE: '20' } });
    owner = await registerOwner(cloud);
  });
  afterAll(() => cloud.close());

  /** Statements of this database waiting on a lock whose text starts with `prefix`. */
  const waiting = async (prefix: string): Promise<number> => {
    const [{ n }] = await cloud.db.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`,
      [`${prefix}%`],
    );
    return n;
  };
  const until = async (what: string, check: () => Promise<boolean>) => {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  type Answer = { code: number; msg: string; data: any };
  /**
   * `write` started while the team's row is held; once it waits there, `remove` is sent, and the
   * row is let go when `remove` has answered or waits itself (on `removing`, its statement's start).
   */
  async function removeDuring(remove: () => Promise<Answer>, removing: string, write: () => Promise<Answer>) {
    const holder = cloud.db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`SELECT id FROM teams WHERE id = $1 FOR UPDATE`, [owner.teamId]);
      const written = write();
      await until('the write to reach the team row', async () => (await waiting('UPDATE teams SET window_seq')) > 0);
      let deleteAnswered = false;
      const deleted = remove().finally(() => (deleteAnswered = true));
      // A delete that does not wait for the write's transaction goes through at once.
      await until('the delete to answer or wait', async () => deleteAnswered || (await waiting(removing)) > 0);
      await holder.commitTransaction();
      return { written: await written, deleted: await deleted };
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  }

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
