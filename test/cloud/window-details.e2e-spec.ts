import { PreparedReads } from '../../apps/cloud/src/database/prepared-reads';
import { DETAIL_BATCH_MAX, WindowDetails } from '../../apps/cloud/src/windows/window-details';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createGroup, createTag, createWindow, registerOwner } from '../support/factories';

/**
 * Single-window reads asked for together share one statement; each caller still gets exactly its
 * own team's live window, as a query of its own would have answered.
 */
describe('coalesced window reads', () => {
  let cloud: CloudHarness;
  let details: WindowDetails;
  let reads: PreparedReads;
  let a: Account;
  let b: Account;

  beforeAll(async () => {
    cloud = await startCloud();
    details = cloud.app.get(WindowDetails);
    reads = cloud.app.get(PreparedReads);
    [a, b] = [await registerOwner(cloud), await registerOwner(cloud)];
  });
  afterAll(() => cloud.close());

  /** Counts the statements sent while `run` runs (the statements still run). */
  async function statements<T>(run: () => Promise<T>): Promise<[number, T]> {
    const spy = jest.spyOn(reads, 'query');
    try {
      const result = await run();
      return [spy.mock.calls.length, result];
    } finally {
      spy.mockRestore();
    }
  }

  it('answers lookups of one turn with one statement, each with its own window or nothing', async () => {
    const group = await createGroup(cloud, a);
    const tag = await createTag(cloud, a);
    const mine = await createWindow(cloud, a, { name: 'mine', groupId: group, tagIds: [tag] });
    const other = await createWindow(cloud, a, { name: 'other' });
    const theirs = await createWindow(cloud, b, { name: 'theirs' });
    const binned = await createWindow(cloud, a, { name: 'binned' });
    expect((await cloud.post('/browser/delete/ids', { ids: [binned.id] }, a.token)).code).toBe(0);

    const [count, answers] = await statements(() =>
      Promise.all([
        details.get({ teamId: a.teamId, id: mine.id }),
        details.get({ teamId: a.teamId, uuid: other.uuid }),
        details.get({ teamId: a.teamId, id: mine.id, uuid: mine.uuid }),
        // another team's window, by id and by uuid
        details.get({ teamId: a.teamId, id: theirs.id }),
        details.get({ teamId: a.teamId, uuid: theirs.uuid }),
        details.get({ teamId: b.teamId, id: theirs.id }),
        // id and uuid of two different windows
        details.get({ teamId: a.teamId, id: mine.id, uuid: other.uuid }),
        // in the recycle bin
        details.get({ teamId: a.teamId, id: binned.id }),
        details.get({ teamId: a.teamId, id: 2_000_000_000 }),
      ]),
    );
    expect(count).toBe(1);
    expect(answers.map((view) => view?.name ?? null)).toEqual(['mine', 'other', 'mine', null, null, 'theirs', null, null, null]);
    expect(answers[0]).toMatchObject({ id: mine.id, uuid: mine.uuid, groupId: group, tagIds: [tag] });
    // The same view the API answers.
    expect((await cloud.post('/browser/detail', { id: mine.id }, a.token)).data).toEqual(answers[0]);
  });

  it(`splits more than ${DETAIL_BATCH_MAX} lookups over several statements and answers them all`, async () => {
    const window = await createWindow(cloud, a, { name: 'many' });
    const lookups = DETAIL_BATCH_MAX * 2 + 1;
    const [count, answers] = await statements(() =>
      Promise.all(Array.from({ length: lookups }, () => details.get({ teamId: a.teamId, id: window.id }))),
    );
    expect(count).toBe(3);
    expect(answers.every((view) => view?.id === window.id)).toBe(true);
  });

  it('rejects every lookup of a failed statement, and the next ones work', async () => {
    const window = await createWindow(cloud, a);
    // A team id beyond PostgreSQL's integer fails the statement (requests never carry one).
    const failed = await Promise.allSettled([
      details.get({ teamId: 2 ** 40, id: window.id }),
      details.get({ teamId: a.teamId, id: window.id }),
    ]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await details.get({ teamId: a.teamId, id: window.id }))?.id).toBe(window.id);
  });

  it('answers concurrent /browser/detail calls of two teams and a scoped member with their own windows only', async () => {
    const group = await createGroup(cloud, a);
    const inGroup = await createWindow(cloud, a, { groupId: group });
    const outside = await createWindow(cloud, a);
    const theirs = await createWindow(cloud, b);
    const scoped = await addMember(cloud, a, { permissions: ['browser:list'], scope: 'groups', groupIds: [group] });
    const calls: [Account, number, number | null][] = [
      [a, inGroup.id, inGroup.id],
      [a, outside.id, outside.id],
      [a, theirs.id, null],
      [b, theirs.id, theirs.id],
      [b, inGroup.id, null],
      [scoped, inGroup.id, inGroup.id],
      [scoped, outside.id, null],
    ];
    const rounds = Array.from({ length: 8 }, () => calls).flat();
    const answers = await Promise.all(rounds.map(([who, id]) => cloud.post('/browser/detail', { id }, who.token)));
    answers.forEach((answer, i) => {
      const expected = rounds[i][2];
      if (expected === null) expect(answer).toEqual({ code: 404, msg: `Window ${rounds[i][1]} not found`, data: {} });
      else expect(answer).toMatchObject({ code: 0, data: { id: expected } });
    });
  });
});
