import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createGroup, createWindow, registerOwner } from '../support/factories';

jest.setTimeout(300_000);

/**
 * Writers that touch a group and its windows together lock the group first, then the windows in
 * id order: a group deleted while windows move into it and one of them is edited answers each
 * call (the move or edit may find the group gone), never a deadlock.
 */
describe('group delete, batch move and window edit at once', () => {
  let cloud: CloudHarness;
  let owner: Account;
  beforeAll(async () => {
    cloud = await startCloud({ env: { DATABASE_POOL_SIZE: '20' } });
    owner = await registerOwner(cloud);
  });
  afterAll(() => cloud.close());

  it('answers every call over 40 rounds without a 500', async () => {
    const codes: number[] = [];
    for (let round = 0; round < 40; round++) {
      const group = await createGroup(cloud, owner);
      const inside = await Promise.all(Array.from({ length: 8 }, () => createWindow(cloud, owner, { groupId: group })));
      const outside = await Promise.all(Array.from({ length: 4 }, () => createWindow(cloud, owner)));
      const ids = [...inside, ...outside].map((w) => w.id);
      const answers = await Promise.all([
        cloud.post('/browser/group/update', { ids: [...ids].reverse(), groupId: group }, owner.token),
        cloud.post('/browser/update', { id: inside[3].id, groupId: group, remark: `r${round}` }, owner.token),
        cloud.post('/browser/update', { id: outside[0].id, groupId: group }, owner.token),
        cloud.post('/group/delete', { id: group }, owner.token),
        cloud.post('/browser/group/update', { ids, groupId: group }, owner.token),
      ]);
      codes.push(...answers.map((a) => a.code));
      for (const answer of answers) expect([0, 211]).toContain(answer.code);
      // Whatever the order, the group is gone and none of its windows point at it.
      const [{ n }] = await cloud.db.query(`SELECT count(*)::int AS n FROM windows WHERE group_id = $1`, [group]);
      expect(n).toBe(0);
    }
    expect(codes.filter((c) => c === 500)).toEqual([]);
  });
});
