import { findFirefox, firefoxMajorOf } from '@cos/server-common';
import { RecyclePurger } from '../../apps/cloud/src/recycle/recycle-purger';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createGroup, createTag, createWindow, registerOwner, snapshot } from '../support/factories';

describe('windows (seed endpoints)', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let g12: number;
  let g15: number;
  let t3: number;
  let t5: number;
  let t8: number;

  beforeAll(async () => {
    cloud = await startCloud();
    owner = await registerOwner(cloud);
    [g12, g15] = [await createGroup(cloud, owner, 'shop A'), await createGroup(cloud, owner, 'shop B')];
    [t3, t5, t8] = [await createTag(cloud, owner, 'ads'), await createTag(cloud, owner, 'uk'), await createTag(cloud, owner, 'vip')];
  });
  afterAll(() => cloud.close());

  // The seed's example names Firefox 118; a window can only be the Firefox its agents run.
  const major = String(firefoxMajorOf(findFirefox()!));

  it('creates a window from the seed example and keeps the proxy password encrypted and hidden', async () => {
    const res = await cloud.post(
      '/browser/update',
      {
        name: 'windows browser',
        groupId: g12,
        tagIds: [t3, t5],
        remark: 'Created via API',
        proxyMethod: 2,
        proxyType: 'socks5',
        host: '1.2.3.4',
        port: 1020,
        proxyUserName: 'abc',
        proxyPassword: 'def',
        browserFingerPrint: { coreVersion: major, ostype: 'PC', os: 'Win32' },
      },
      owner.token,
    );
    expect(res).toMatchObject({ code: 0, msg: 'success' });
    expect(res.data).toMatchObject({
      name: 'windows browser',
      groupId: g12,
      groupName: 'shop A',
      tagIds: [t3, t5],
      remark: 'Created via API',
      proxyMethod: 2,
      proxyType: 'socks5',
      host: '1.2.3.4',
      port: 1020,
      proxyUserName: 'abc',
      proxyPassword: '',
      hasProxyPassword: true,
      browserFingerPrint: { coreVersion: major, ostype: 'PC', os: 'Win32' },
      openStatus: 'closed',
      createdBy: owner.userId,
    });
    expect(res.data.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.data.seq).toBeGreaterThan(0);
    const [row] = await cloud.db.query(`SELECT proxy_password_enc FROM windows WHERE id = $1`, [res.data.id]);
    expect(row.proxy_password_enc).toMatch(/^v1:/);
    expect(row.proxy_password_enc).not.toContain('def');
    const detail = await cloud.post('/browser/detail', { id: res.data.id }, owner.token);
    expect(detail.data).toMatchObject({ proxyPassword: '', hasProxyPassword: true });
    expect(JSON.stringify(detail)).not.toContain('"def"');
  });

  it('generates a name and numbers windows per team', async () => {
    const a = await cloud.post('/browser/update', {}, owner.token);
    const b = await cloud.post('/browser/update', { browserFingerPrint: {} }, owner.token);
    expect(a.code).toBe(0);
    expect(b.data.seq).toBe(a.data.seq + 1);
    expect(a.data.name).toBe(`Window ${a.data.seq}`);
    expect(a.data).toMatchObject({ groupId: 0, tagIds: [], proxyType: 'direct', hasProxyPassword: false });
  });

  it('edits a window with the seed example, touching only the fields sent', async () => {
    const created = await createWindow(cloud, owner, {
      groupId: g12,
      remark: 'r',
      proxyType: 'http',
      host: 'p.example',
      port: 8080,
      proxyPassword: 'secret',
    });
    const res = await cloud.post(
      '/browser/update',
      { id: created.id, name: 'Modified window name', groupId: g15, remark: 'Modified remark', tagIds: [t3, t8] },
      owner.token,
    );
    expect(res.code).toBe(0);
    expect(res.data).toMatchObject({
      id: created.id,
      name: 'Modified window name',
      groupId: g15,
      remark: 'Modified remark',
      tagIds: [t3, t8],
    });
    expect(res.data).toMatchObject({ proxyType: 'http', host: 'p.example', port: 8080, hasProxyPassword: true });
    const byUuid = await cloud.post('/browser/update', { uuid: created.uuid, remark: 'via uuid' }, owner.token);
    expect(byUuid.data.remark).toBe('via uuid');
    const byBrowserId = await cloud.post('/browser/update', { browserId: String(created.id), proxyPassword: '' }, owner.token);
    expect(byBrowserId.data.hasProxyPassword).toBe(false);
  });

  it('finds a window by id, browserId or uuid', async () => {
    const w = await createWindow(cloud, owner);
    for (const body of [{ id: w.id }, { browserId: w.id }, { browserId: String(w.id) }, { uuid: w.uuid }, { id: w.id, uuid: w.uuid }]) {
      const res = await cloud.post('/browser/detail', body, owner.token);
      expect(res).toMatchObject({ code: 0, data: { id: w.id, browserId: w.id, uuid: w.uuid } });
    }
    expect((await cloud.post('/browser/detail', {}, owner.token)).code).toBe(211);
  });

  it('updates fields of several windows with /browser/update/partial', async () => {
    const a = await createWindow(cloud, owner, {
      browserFingerPrint: { os: 'Win32', languages: ['en-US'] },
      config: { syncCookies: false, theme: 'dark' },
    });
    const b = await createWindow(cloud, owner);
    const res = await cloud.post(
      '/browser/update/partial',
      {
        ids: [a.id, b.id],
        name: 'Batch renamed',
        groupId: g15,
        remark: 'New remark',
        tagIds: [t3, t8],
        browserFingerPrint: { timezone: 'Europe/Berlin' },
        config: { syncHistory: false },
      },
      owner.token,
    );
    expect(res).toMatchObject({ code: 0, data: { updated: 2 } });
    const after = await cloud.post('/browser/detail', { id: a.id }, owner.token);
    expect(after.data).toMatchObject({
      name: 'Batch renamed',
      groupId: g15,
      remark: 'New remark',
      tagIds: [t3, t8],
      browserFingerPrint: { os: 'Win32', languages: ['en-US'], timezone: 'Europe/Berlin' },
      config: { syncCookies: false, theme: 'dark', syncHistory: false },
    });
    const untouched = await cloud.post('/browser/update/partial', { ids: [b.id], remark: 'only remark' }, owner.token);
    expect(untouched.code).toBe(0);
    expect((await cloud.post('/browser/detail', { id: b.id }, owner.token)).data).toMatchObject({
      name: 'Batch renamed',
      remark: 'only remark',
      tagIds: [t3, t8],
    });
  });

  it('adds and removes tags on several windows where their tags are, keeping the others; a tag change sent two ways is refused', async () => {
    const a = await createWindow(cloud, owner, { tagIds: [t3] });
    const b = await createWindow(cloud, owner, { tagIds: [t5] });
    const tagsOf = async (id: number) => (await cloud.post('/browser/detail', { id }, owner.token)).data.tagIds as number[];
    // Two adds one after the other, each naming only its own tag: both stay (a whole list sent from
    // rows read before the first would have dropped it).
    expect(await cloud.post('/browser/update/partial', { ids: [a.id, b.id], addTagIds: [t8] }, owner.token)).toMatchObject({ code: 0 });
    expect(await cloud.post('/browser/update/partial', { ids: [a.id, b.id], addTagIds: [t5] }, owner.token)).toMatchObject({ code: 0 });
    expect([await tagsOf(a.id), await tagsOf(b.id)]).toEqual([
      [t3, t5, t8],
      [t5, t8],
    ]);
    expect(await cloud.post('/browser/update/partial', { ids: [a.id, b.id], removeTagIds: [t5, t3] }, owner.token)).toMatchObject({
      code: 0,
    });
    expect([await tagsOf(a.id), await tagsOf(b.id)]).toEqual([[t8], [t8]]);

    const before = await snapshot(cloud);
    const refused: [Record<string, unknown>, string][] = [
      [{ tagIds: [t3], addTagIds: [t5] }, 'send tagIds (the whole list) or addTagIds and removeTagIds (a change to it), not both'],
      [{ addTagIds: [t3], removeTagIds: [t3] }, `tag ${t3} is in both addTagIds and removeTagIds`],
      [{ addTagIds: [999999] }, 'addTagIds: tag 999999 does not exist in your team'],
      [{ removeTagIds: [999999] }, 'removeTagIds: tag 999999 does not exist in your team'],
      [{ addTagIds: [] }, 'addTagIds must not be empty'],
      [{ addTagIds: null }, 'addTagIds must be an array of ids'],
      [{ removeTagIds: ['x'] }, 'removeTagIds must'],
    ];
    for (const [body, msg] of refused) {
      const answer = await cloud.post('/browser/update/partial', { ids: [a.id], ...body }, owner.token);
      expect({ body, code: answer.code, msg: answer.msg }).toEqual({ body, code: 211, msg: expect.stringContaining(msg) });
    }
    expect(await snapshot(cloud)).toBe(before);
  });

  it('lists tags, and groups of one sort value, by name as people read them: case does not split the list', async () => {
    const team = await registerOwner(cloud);
    for (const name of ['Warmup', 'b', 'a', 'Zed']) await createTag(cloud, team, name);
    for (const name of ['shops US', 'Ads', 'shops eu']) await createGroup(cloud, team, name);
    const names = async (path: string) =>
      ((await cloud.post(path, { page: 0, pageSize: 100 }, team.token)).data.list as { name: string }[]).map((x) => x.name);
    expect(await names('/tag/list')).toEqual(['a', 'b', 'Warmup', 'Zed']);
    expect(await names('/group/list')).toEqual(['Ads', 'shops eu', 'shops US']);
  });

  it('moves windows between groups and sets remarks in batch', async () => {
    const a = await createWindow(cloud, owner, { groupId: g12 });
    const b = await createWindow(cloud, owner, { groupId: g12 });
    expect(await cloud.post('/browser/group/update', { ids: [a.id, b.id], groupId: g15 }, owner.token)).toMatchObject({
      code: 0,
      data: { updated: 2 },
    });
    expect(await cloud.post('/browser/remark/update', { ids: [a.id, b.id], remark: 'Remark info' }, owner.token)).toMatchObject({
      code: 0,
    });
    expect((await cloud.post('/browser/detail', { id: b.id }, owner.token)).data).toMatchObject({ groupId: g15, remark: 'Remark info' });
    expect((await cloud.post('/browser/group/update', { ids: [a.id], groupId: 0 }, owner.token)).code).toBe(0);
    expect((await cloud.post('/browser/detail', { id: a.id }, owner.token)).data).toMatchObject({ groupId: 0, groupName: '' });
  });

  it('sets the same proxy on several windows with the seed example', async () => {
    const a = await createWindow(cloud, owner);
    const b = await createWindow(cloud, owner);
    const res = await cloud.post(
      '/browser/proxy/update',
      {
        ids: [a.id, b.id],
        ipCheckService: 'ip-api',
        proxyMethod: 2,
        proxyType: 'socks5',
        host: '127.0.0.1',
        port: 1080,
        proxyUserName: 'user',
        proxyPassword: 'pass',
        refreshProxyUrl: '',
      },
      owner.token,
    );
    expect(res).toMatchObject({ code: 0, data: { updated: 2 } });
    const detail = await cloud.post('/browser/detail', { id: b.id }, owner.token);
    expect(detail.data).toMatchObject({
      proxyMethod: 2,
      proxyType: 'socks5',
      host: '127.0.0.1',
      port: 1080,
      proxyUserName: 'user',
      proxyPassword: '',
      hasProxyPassword: true,
      ipCheckService: 'ip-api',
    });
    const extraction = await cloud.post(
      '/browser/proxy/update',
      { ids: [a.id], proxyMethod: '3', dynamicIpUrl: 'http://127.0.0.1:9/ip', isDynamicIpChangeIp: true },
      owner.token,
    );
    expect(extraction.code).toBe(0);
    expect((await cloud.post('/browser/detail', { id: a.id }, owner.token)).data).toMatchObject({
      proxyMethod: 3,
      proxyType: 'direct',
      host: '',
      hasProxyPassword: false,
      isDynamicIpChangeIp: true,
    });
  });

  describe('list', () => {
    let other: Account;
    beforeAll(async () => {
      other = await registerOwner(cloud);
      for (let i = 0; i < 12; i++) await createWindow(other, i);
      async function createWindow(by: Account, i: number) {
        await cloud.post('/browser/update', { name: `paged ${i}`, remark: i % 2 ? 'odd 50%_x' : 'even' }, by.token);
      }
    });

    it('pages from 0, newest first, 10 by default', async () => {
      const first = await cloud.post('/browser/list', {}, other.token);
      expect(first.data).toMatchObject({ total: 12, page: 0, pageSize: 10 });
      expect(first.data.list.map((w: { name: string }) => w.name)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map((i) => `paged ${i}`));
      const second = await cloud.post('/browser/list', { page: 1, pageSize: 10 }, other.token);
      expect(second.data.list.map((w: { name: string }) => w.name)).toEqual(['paged 1', 'paged 0']);
      expect((await cloud.post('/browser/list', { page: 5 }, other.token)).data).toMatchObject({ list: [], total: 12 });
    });

    it('filters by keyword (name or remark, literally), name, remark, group, tags and open status', async () => {
      const kw = await cloud.post('/browser/list', { keyword: '50%_', pageSize: 100 }, other.token);
      expect(kw.data.total).toBe(6);
      expect((await cloud.post('/browser/list', { keyword: '%' }, other.token)).data.total).toBe(6);
      expect((await cloud.post('/browser/list', { name: 'PAGED 1' }, other.token)).data.total).toBe(3);
      expect((await cloud.post('/browser/list', { remark: 'even' }, other.token)).data.total).toBe(6);
      expect((await cloud.post('/browser/list', { openStatus: 'opened' }, other.token)).data.total).toBe(0);

      const inGroup = await cloud.post('/browser/list', { groupId: g12, pageSize: 100 }, owner.token);
      expect(inGroup.data.list.every((w: { groupId: number }) => w.groupId === g12)).toBe(true);
      const ungrouped = await cloud.post('/browser/list', { groupId: 0, pageSize: 100 }, owner.token);
      expect(ungrouped.data.list.every((w: { groupId: number }) => w.groupId === 0)).toBe(true);
      const tagged = await cloud.post('/browser/list', { tagIds: [t8], pageSize: 100 }, owner.token);
      expect(tagged.data.total).toBeGreaterThan(0);
      expect(tagged.data.list.every((w: { tagIds: number[] }) => w.tagIds.includes(t8))).toBe(true);
    });

    it("never shows another team's windows", async () => {
      const mine = await cloud.post('/browser/list', { pageSize: 100 }, owner.token);
      expect(mine.data.list.some((w: { name: string }) => w.name.startsWith('paged'))).toBe(false);
    });
  });

  describe('recycle bin', () => {
    it('moves windows to the bin, lists, restores and deletes them for good', async () => {
      const a = await createWindow(cloud, owner, { tagIds: [t3] });
      const b = await createWindow(cloud, owner);
      const c = await createWindow(cloud, owner);
      expect(await cloud.post('/browser/delete', { id: a.id }, owner.token)).toMatchObject({ code: 0, data: { deleted: 1 } });
      expect(await cloud.post('/browser/delete', { uuid: b.uuid }, owner.token)).toMatchObject({ code: 0 });
      expect(await cloud.post('/browser/delete/ids', { ids: [c.id] }, owner.token)).toMatchObject({ code: 0 });

      expect((await cloud.post('/browser/detail', { id: a.id }, owner.token)).code).toBe(404);
      const live = await cloud.post('/browser/list', { pageSize: 100 }, owner.token);
      expect(live.data.list.map((w: { id: number }) => w.id)).not.toEqual(expect.arrayContaining([a.id]));
      const bin = await cloud.post('/browser/recycle/list', {}, owner.token);
      expect(bin.data.list.map((w: { id: number }) => w.id)).toEqual([c.id, b.id, a.id]);
      expect(bin.data.list[0].deletedAt).toEqual(expect.any(String));

      expect(await cloud.post('/browser/recycle/restore', { ids: [a.id] }, owner.token)).toMatchObject({ code: 0, data: { restored: 1 } });
      expect((await cloud.post('/browser/detail', { id: a.id }, owner.token)).data).toMatchObject({ tagIds: [t3], deletedAt: null });

      expect(await cloud.post('/browser/recycle/delete', { ids: [b.id] }, owner.token)).toMatchObject({ code: 0, data: { deleted: 1 } });
      expect(await cloud.db.query(`SELECT id FROM windows WHERE id = $1`, [b.id])).toEqual([]);
      expect((await cloud.post('/browser/recycle/delete', { ids: [a.id] }, owner.token)).code).toBe(404);

      const cleared = await cloud.post('/browser/recycle/clear', {}, owner.token);
      expect(cleared).toMatchObject({ code: 0, data: { deleted: 1 } });
      expect((await cloud.post('/browser/recycle/list', {}, owner.token)).data.total).toBe(0);
    });

    it('refuses to delete an open window', async () => {
      const w = await createWindow(cloud, owner);
      await cloud.db.query(
        `UPDATE windows SET open_status = 'opened', open_device_id = 'dev', open_lease_until = now() + interval '1 minute' WHERE id = $1`,
        [w.id],
      );
      expect(await cloud.post('/browser/delete', { id: w.id }, owner.token)).toMatchObject({
        code: 409,
        msg: expect.stringContaining('open'),
      });
      await cloud.db.query(`UPDATE windows SET open_lease_until = now() - interval '1 minute' WHERE id = $1`, [w.id]);
      expect((await cloud.post('/browser/delete', { id: w.id }, owner.token)).code).toBe(0);
    });

    it('purges windows kept in the bin past the retention period', async () => {
      const old = await createWindow(cloud, owner);
      const recent = await createWindow(cloud, owner);
      await cloud.post('/browser/delete/ids', { ids: [old.id, recent.id] }, owner.token);
      await cloud.db.query(`UPDATE windows SET deleted_at = now() - interval '31 days' WHERE id = $1`, [old.id]);
      await cloud.db.query(`UPDATE windows SET deleted_at = now() - interval '29 days' WHERE id = $1`, [recent.id]);
      expect(await cloud.app.get(RecyclePurger).purge()).toEqual({ ran: true, deleted: 1 });
      const left = await cloud.db.query(`SELECT id FROM windows WHERE id = ANY($1)`, [[old.id, recent.id]]);
      expect(left).toEqual([{ id: recent.id }]);
      // The bin's list says how long a window stays, so the console can say when each one goes.
      const bin = (await cloud.post('/browser/recycle/list', { pageSize: 100 }, owner.token)).data;
      expect([bin.retentionDays, bin.list.map((w: { id: number }) => w.id)]).toEqual([30, expect.arrayContaining([recent.id])]);
    });
  });

  it('deleting a group makes its windows ungrouped; deleting a tag removes it from windows', async () => {
    const group = await createGroup(cloud, owner);
    const tag = await createTag(cloud, owner);
    const w = await createWindow(cloud, owner, { groupId: group, tagIds: [tag, t3] });
    expect((await cloud.post('/group/delete', { id: group }, owner.token)).code).toBe(0);
    expect((await cloud.post('/tag/delete', { id: tag }, owner.token)).code).toBe(0);
    expect((await cloud.post('/browser/detail', { id: w.id }, owner.token)).data).toMatchObject({ groupId: 0, tagIds: [t3] });
  });
});

describe('paging', () => {
  let cloud: CloudHarness;
  beforeAll(async () => {
    cloud = await startCloud();
  });
  afterAll(() => cloud.close());

  it('gives every page, those read from the far end included, in one stable order', async () => {
    const owner = await registerOwner(cloud);
    const group = await createGroup(cloud, owner);
    for (let i = 0; i < 23; i++) await createWindow(cloud, owner, { groupId: i % 3 === 0 ? group : 0 });
    // same creation instants, so the id breaks the tie
    await cloud.db.query(`UPDATE windows SET created_at = date_trunc('hour', now()) WHERE team_id = $1 AND id % 4 = 0`, [owner.teamId]);
    const ids = async (body: Record<string, unknown>, path = '/browser/list') =>
      (await cloud.post(path, body, owner.token)).data.list.map((w: { id: number }) => w.id);
    for (const filter of [{}, { groupId: group }]) {
      const all = await ids({ ...filter, pageSize: 100 });
      const paged: number[] = [];
      for (let page = 0; page * 5 < all.length; page++) paged.push(...(await ids({ ...filter, page, pageSize: 5 })));
      expect(paged).toEqual(all);
      expect(await ids({ ...filter, page: 99, pageSize: 5 })).toEqual([]);
      expect((await cloud.post('/browser/list', { ...filter, page: 4, pageSize: 5 }, owner.token)).data.total).toBe(all.length);
    }
    const [{ n }] = await cloud.db.query(`SELECT count(*)::int AS n FROM windows WHERE team_id = $1`, [owner.teamId]);
    expect(n).toBe(23);
    await cloud.post('/browser/delete/ids', { ids: (await ids({ pageSize: 100 })).slice(0, 13) }, owner.token);
    await cloud.db.query(
      `UPDATE windows SET deleted_at = date_trunc('hour', now()) WHERE team_id = $1 AND deleted_at IS NOT NULL AND id % 2 = 0`,
      [owner.teamId],
    );
    const bin = await ids({ pageSize: 100 }, '/browser/recycle/list');
    expect(bin).toHaveLength(13);
    const binPaged: number[] = [];
    for (let page = 0; page < 5; page++) binPaged.push(...(await ids({ page, pageSize: 3 }, '/browser/recycle/list')));
    expect(binPaged).toEqual(bin);
  });
});

describe('list totals kept by the counters', () => {
  let cloud: CloudHarness;
  beforeAll(async () => {
    cloud = await startCloud();
  });
  afterAll(() => cloud.close());

  it('match count(*) after creates, moves, deletes, restores, group deletion and purges', async () => {
    const owner = await registerOwner(cloud);
    const [a, b] = [await createGroup(cloud, owner), await createGroup(cloud, owner)];
    const ids: number[] = [];
    for (let i = 0; i < 9; i++) ids.push((await createWindow(cloud, owner, { groupId: [0, a, b][i % 3] })).id);
    await cloud.post('/browser/group/update', { ids: ids.slice(0, 4), groupId: b }, owner.token);
    await cloud.post('/browser/delete/ids', { ids: ids.slice(3, 6) }, owner.token);
    await cloud.post('/browser/recycle/restore', { ids: [ids[4]] }, owner.token);
    await cloud.post('/browser/recycle/delete', { ids: [ids[5]] }, owner.token);
    await cloud.post('/group/delete', { id: a }, owner.token);

    const check = async () => {
      for (const [path, where] of [
        ['/browser/list', 'deleted_at IS NULL'],
        ['/browser/recycle/list', 'deleted_at IS NOT NULL'],
      ] as const) {
        for (const groupId of [undefined, 0, b]) {
          const res = await cloud.post(path, groupId === undefined ? {} : { groupId }, owner.token);
          const groupWhere = groupId === undefined ? '' : groupId === 0 ? 'AND group_id IS NULL' : `AND group_id = ${groupId}`;
          const [{ n }] = await cloud.db.query(`SELECT count(*)::int AS n FROM windows WHERE team_id = $1 AND ${where} ${groupWhere}`, [
            owner.teamId,
          ]);
          expect({ path, groupId, total: res.data.total }).toEqual({ path, groupId, total: n });
        }
      }
      // The groups' window counts come from the same counters.
      const groups = (await cloud.post('/group/list', { pageSize: 100 }, owner.token)).data.list as { id: number; windowCount: number }[];
      const counted: { group_id: number; n: number }[] = await cloud.db.query(
        `SELECT group_id, count(*)::int AS n FROM windows WHERE team_id = $1 AND deleted_at IS NULL AND group_id IS NOT NULL GROUP BY group_id`,
        [owner.teamId],
      );
      expect(Object.fromEntries(groups.map((g) => [g.id, g.windowCount]))).toEqual(
        Object.fromEntries(groups.map((g) => [g.id, counted.find((c) => c.group_id === g.id)?.n ?? 0])),
      );
    };
    await check();
    await cloud.post('/browser/recycle/clear', {}, owner.token);
    await check();
  });

  it("orders a list by name or creation either way, pages included, and counts each window's cookies", async () => {
    const other = await registerOwner(cloud);
    const group = await createGroup(cloud, other, 'sorted');
    const names = ['delta', 'Alpha', 'charlie', 'bravo', 'Echo'];
    const made: { id: number; uuid: string }[] = [];
    for (const name of names) made.push(await createWindow(cloud, other, { name, groupId: group }));
    const cookie = { name: 'sid', value: 'v', domain: '.example.com', path: '/', secure: true, httpOnly: true, sameSite: 'lax' };
    const imported = await cloud.post(
      '/browser/cookies/import',
      { id: made[0].id, cookies: [cookie, { ...cookie, name: 'b' }] },
      other.token,
    );
    expect(imported.code).toBe(0);
    const list = async (body: Record<string, unknown>) => {
      const res = await cloud.post('/browser/list', { pageSize: 2, ...body }, other.token);
      expect(res.code).toBe(0);
      return { names: (res.data.list as { name: string }[]).map((w) => w.name), total: res.data.total as number };
    };
    // By name as people read names: capitals among the small letters, whatever the database's collation.
    const asc = [
      ...(await list({ sortBy: 'name', sortOrder: 'asc' })).names,
      ...(await list({ sortBy: 'name', sortOrder: 'asc', page: 1 })).names,
    ];
    expect(asc).toEqual(['Alpha', 'bravo', 'charlie', 'delta']);
    expect((await list({ sortBy: 'name', page: 2 })).names).toHaveLength(1);
    const desc = (await list({ sortBy: 'name', sortOrder: 'desc', pageSize: 5 })).names;
    expect(desc).toEqual([...asc, ...(await list({ sortBy: 'name', sortOrder: 'asc', page: 2 })).names].reverse());
    expect((await list({ sortBy: 'createdAt', sortOrder: 'asc', pageSize: 5 })).names).toEqual(names);
    expect((await list({ pageSize: 5 })).names).toEqual([...names].reverse());
    // Sorting within a filter, and the total is the filter's.
    expect(await list({ sortBy: 'name', sortOrder: 'asc', groupId: group, keyword: 'a' })).toEqual({ names: ['Alpha', 'bravo'], total: 4 });

    const all = await cloud.post('/browser/list', { pageSize: 5 }, other.token);
    const counts = Object.fromEntries((all.data.list as { name: string; cookieCount: number }[]).map((w) => [w.name, w.cookieCount]));
    expect(counts).toEqual({ delta: 2, Alpha: 0, charlie: 0, bravo: 0, Echo: 0 });
    expect((await cloud.post('/browser/detail', { id: made[0].id }, other.token)).data.cookieCount).toBe(2);
  });
});
