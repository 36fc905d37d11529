import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, addMember, createGroup, createTag, registerOwner, snapshot } from '../support/factories';

/**
 * Imports as operators bring their windows and proxies over: rows from a CSV or another
 * product's export (mapped by the console) checked one by one, the good ones created together and
 * each bad one answered with its reason; a dry run that creates nothing; pasted proxy lists.
 */
describe('imports of windows and proxies', () => {
  let cloud: CloudHarness;
  let owner: Account;

  beforeAll(async () => {
    cloud = await startCloud();
    owner = await registerOwner(cloud);
  });
  afterAll(() => cloud.close());

  const cookies = JSON.stringify([
    {
      domain: '.shop.example',
      name: 'sid',
      value: 'abc',
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'no_restriction',
      expirationDate: 4102444800,
    },
  ]);

  it('1,000 rows with 3 bad ones: a dry run names them and creates nothing; the import creates the 997 others in two batches', async () => {
    const group = await createGroup(cloud, owner, 'Shops');
    await createTag(cloud, owner, 'eu');
    const rows: Record<string, unknown>[] = Array.from({ length: 1000 }, (_, i) => ({
      name: `shop-${i}`,
      group: 'Shops',
      tags: ['eu'],
      proxy: `socks5://user${i}:p%40ss@10.0.${i % 250}.1:1080`,
      remark: `row ${i}`,
      ...(i === 0
        ? { cookies, userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36', os: 'macos' }
        : {}),
    }));
    rows[17] = { ...rows[17], proxy: 'socks5://host:99999' };
    rows[523] = { ...rows[523], group: 'Nowhere' };
    rows[998] = { ...rows[998], cookies: '[{"name": 1}' };
    const before = await snapshot(cloud);
    const checked = [];
    for (const batch of [rows.slice(0, 500), rows.slice(500)])
      checked.push((await cloud.post('/browser/import', { rows: batch, dryRun: true }, owner.token)).data);
    expect(await snapshot(cloud)).toBe(before);
    expect(checked.map((c) => [c.created, c.failed])).toEqual([
      [0, 1],
      [0, 2],
    ]);
    const errors = checked.flatMap((c, b) =>
      c.rows.filter((r: { ok: boolean }) => !r.ok).map((r: { index: number; error: string }) => [r.index + b * 500, r.error]),
    );
    expect(errors).toEqual([
      [17, 'proxy port must be 1 to 65535'],
      [523, 'group "Nowhere" does not exist; create it first'],
      [998, 'cookies: the JSON is not valid'],
    ]);
    // The group a row misses is a field of its answer too, for a caller to create it and try again.
    expect(checked[1].rows.find((r: { index: number }) => r.index === 23).missing).toEqual({ group: 'Nowhere' });
    expect(checked[0].rows.find((r: { index: number }) => r.index === 17).missing).toBeUndefined();
    expect(checked[0].rows[0].warnings).toEqual(['userAgent is not used: the window gets a Firefox device drawn whole']);

    const done = [];
    for (const batch of [rows.slice(0, 500), rows.slice(500)])
      done.push((await cloud.post('/browser/import', { rows: batch }, owner.token)).data);
    expect(done.map((d) => [d.created, d.failed])).toEqual([
      [499, 1],
      [498, 2],
    ]);
    const listed = (await cloud.post('/browser/list', { page: 0, pageSize: 1, groupId: group }, owner.token)).data;
    expect(listed.total).toBe(997);
    const first = (await cloud.post('/browser/detail', { id: done[0].rows[0].id }, owner.token)).data;
    expect(first).toMatchObject({
      name: 'shop-0',
      remark: 'row 0',
      groupId: group,
      proxyMethod: 2,
      proxyType: 'socks5',
      host: '10.0.0.1',
      port: 1080,
    });
    expect(first.proxyUserName).toBe('user0');
    expect(first.hasProxyPassword).toBe(true);
    // The window is a Firefox device on the row's OS, whatever user agent the export carried.
    expect(first.browserFingerPrint.os).toBe('MacIntel');
    expect(JSON.stringify(first.browserFingerPrint)).not.toMatch(/Chrome|AppleWebKit/);
    const stored = (await cloud.post('/browser/cookies/export', { id: first.id }, owner.token)).data;
    expect(stored.cookies).toEqual([expect.objectContaining({ name: 'sid', domain: '.shop.example', sameSite: 'none' })]);
  });

  it("a member limited to groups imports only into theirs; fields outside the import's allowlist fail their row", async () => {
    const mine = await createGroup(cloud, owner, 'Mine');
    await createGroup(cloud, owner, 'Theirs');
    const scoped = await addMember(cloud, owner, {
      permissions: ['browser:create:single', 'browser:list'],
      scope: 'groups',
      groupIds: [mine],
    });
    const before = await snapshot(cloud);
    const answer = (
      await cloud.post(
        '/browser/import',
        {
          rows: [
            { name: 'a', group: 'Theirs' },
            { name: 'a2', group: 'Nobody has this' },
            { name: 'b' },
            { name: 'c', group: 'Mine', proxyMethod: 4, proxyId: 1 },
            { name: 'd', group: 'Mine', tags: ['no-such-tag'] },
            'not a row',
          ],
        },
        scoped.token,
      )
    ).data;
    expect(answer.created).toBe(0);
    expect(answer.rows.map((r: { error: string }) => r.error)).toEqual([
      // A group outside the member's groups and one that does not exist answer alike: no name leaks.
      'group "Theirs" is not one of your groups; create it first',
      'group "Nobody has this" is not one of your groups; create it first',
      'group is required: you may only create windows in your groups',
      'property proxyMethod should not exist',
      'tag "no-such-tag" does not exist; create it first',
      'a row must be an object of fields',
    ]);
    expect(answer.rows.map((r: { missing?: unknown }) => r.missing)).toEqual([
      { group: 'Theirs' },
      { group: 'Nobody has this' },
      undefined,
      undefined,
      { tags: ['no-such-tag'] },
      undefined,
    ]);
    expect(await snapshot(cloud)).toBe(before);
    const ok = (await cloud.post('/browser/import', { rows: [{ name: 'e', group: 'Mine' }] }, scoped.token)).data;
    expect(ok.created).toBe(1);
  });

  it('saves proxies pasted one per line, each bad, repeated or already saved line answered', async () => {
    await cloud.post('/proxy/add', { name: 'http://1.2.3.4:8080', proxyType: 'http', host: '1.2.3.4', port: 8080 }, owner.token);
    const text = [
      'socks5://alice:s3cr%3At@proxy.example:1080',
      '5.6.7.8:3128:bob:pw:with:colons',
      '# a comment',
      '',
      'socks5://alice:s3cr%3At@proxy.example:1080',
      'ftp://x:21',
      'http://1.2.3.4:8080',
      '9.9.9.9:0',
    ].join('\n');
    const before = await snapshot(cloud);
    const dry = (await cloud.post('/proxy/import', { text, dryRun: true }, owner.token)).data;
    expect(await snapshot(cloud)).toBe(before);
    const done = (await cloud.post('/proxy/import', { text }, owner.token)).data;
    for (const answer of [dry, done])
      expect(answer.lines.map((l: { line: number; ok: boolean; error?: string }) => [l.line, l.ok, l.error ?? ''])).toEqual([
        [1, true, ''],
        [2, true, ''],
        [5, false, 'the same proxy as line 1'],
        [6, false, 'proxy type ftp is not one of http, https, socks5'],
        [7, false, 'already saved as "http://1.2.3.4:8080"'],
        [8, false, 'proxy port must be 1 to 65535'],
      ]);
    expect(done.saved).toBe(2);
    const list = (await cloud.post('/proxy/list', { page: 0, pageSize: 20 }, owner.token)).data.list;
    const alice = list.find((p: { name: string }) => p.name === 'socks5://proxy.example:1080 alice');
    expect(alice).toMatchObject({ proxyType: 'socks5', host: 'proxy.example', port: 1080, proxyUserName: 'alice', hasProxyPassword: true });
    expect(JSON.stringify(list)).not.toContain('s3cr');
    const bob = list.find((p: { name: string }) => p.name === 'http://5.6.7.8:3128 bob');
    expect(bob).toMatchObject({ proxyType: 'http', proxyUserName: 'bob', hasProxyPassword: true });
    // Two lines whose names differ only by a space the save trims are one proxy (the second was a 500).
    const spaced = (await cloud.post('/proxy/import', { text: '5.5.5.5:80:carol :a\n5.5.5.5:80:carol:b' }, owner.token)).data;
    expect(spaced.lines.map((l: { ok: boolean; error?: string }) => [l.ok, l.error ?? ''])).toEqual([
      [true, ''],
      [false, 'the same proxy as line 1'],
    ]);
    const beforeHidden = await snapshot(cloud);
    const hidden = (
      await cloud.post('/proxy/import', { text: 'http://ev%E2%80%AEil:p@6.6.6.6:80\n6.6.6.6:81:ev\u202eil:p', dryRun: true }, owner.token)
    ).data;
    expect(hidden.lines.map((l: { ok: boolean; error?: string }) => [l.ok, l.error ?? ''])).toEqual([
      [false, 'proxy user name must not contain control, invisible or bidirectional-text characters (found U+202E)'],
      [false, 'proxy user name must not contain control, invisible or bidirectional-text characters (found U+202E)'],
    ]);
    expect(await snapshot(cloud)).toBe(beforeHidden);
    // Long user names that differ only past a name's length keep names of their own, cut on whole
    // characters (half an emoji is no text); a lone carriage return ends a line.
    const long = `http://${'u'.repeat(95)}`;
    const pasted = [`${long}A:p@7.7.7.7:8000`, `${long}B:p@7.7.7.7:8000`, `http://${'😀'.repeat(47)}:p@7.7.7.18:9999`].join('\n');
    const cut = (await cloud.post('/proxy/import', { text: `${pasted}\n7.7.7.9:8080:user:pass\r7.7.7.10:9090:u2:p2` }, owner.token)).data;
    expect(cut).toMatchObject({ saved: 5, failed: 0 });
    const cutNames = cut.lines.map((l: { name: string }) => l.name) as string[];
    expect(new Set(cutNames).size).toBe(5);
    for (const name of cutNames) {
      expect(name.length).toBeLessThanOrEqual(100);
      expect(name).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
    expect(cutNames[0]).toMatch(/^http:\/\/7\.7\.7\.7:8000 u+… #[0-9a-f]{8}$/);
    expect(cutNames.slice(3)).toEqual(['http://7.7.7.9:8080 user', 'http://7.7.7.10:9090 u2']);
    // Port 80 written out is kept (a URL parser drops it as http's default).
    const eighty = (await cloud.post('/proxy/import', { text: 'http://user:p@6.6.6.6:80\nsocks5://6.6.6.6:80' }, owner.token)).data;
    expect(eighty.lines.map((l: { ok: boolean; name?: string }) => [l.ok, l.name])).toEqual([
      [true, 'http://6.6.6.6:80 user'],
      [true, 'socks5://6.6.6.6:80'],
    ]);
    // An IPv6 host in brackets, with or without a user.
    const v6 = (await cloud.post('/proxy/import', { text: '[2001:db8::5]:8080\n[2001:db8::5]:8081:bob:p:w', dryRun: true }, owner.token))
      .data;
    expect(v6.lines.map((l: { ok: boolean; name?: string }) => [l.ok, l.name])).toEqual([
      [true, 'http://[2001:db8::5]:8080'],
      [true, 'http://[2001:db8::5]:8081 bob'],
    ]);
    // A saved proxy renamed since is still the same proxy to a later list.
    expect((await cloud.post('/proxy/update', { id: eighty.lines[0].id, name: 'Paris office' }, owner.token)).code).toBe(0);
    const again = (await cloud.post('/proxy/import', { text: '6.6.6.6:80:user:another-password' }, owner.token)).data;
    expect(again).toMatchObject({ saved: 0, failed: 1, lines: [{ line: 1, ok: false, error: 'already saved as "Paris office"' }] });
  });

  it('reads a group and tags as named, spaces around them and empty tag names aside', async () => {
    const team = await registerOwner(cloud);
    const group = await createGroup(cloud, team, 'Shops');
    const vip = await createTag(cloud, team, 'vip');
    const answer = (
      await cloud.post('/browser/import', { rows: [{ name: 'spaced', group: ' Shops ', tags: [' vip ', '', '  '] }] }, team.token)
    ).data;
    expect(answer).toMatchObject({ created: 1, failed: 0 });
    const [w] = (await cloud.post('/browser/list', { keyword: 'spaced' }, team.token)).data.list;
    expect(w).toMatchObject({ groupId: group, tagIds: [vip] });
    // A missing group and missing tags are answered together, so one round creates them all.
    const both = (
      await cloud.post('/browser/import', { rows: [{ name: 'x', group: 'New', tags: ['vip', 'fresh'] }], dryRun: true }, team.token)
    ).data;
    expect(both.rows).toEqual([
      {
        index: 0,
        ok: false,
        error: 'group "New" does not exist; tag "fresh" does not exist; create them first',
        missing: { group: 'New', tags: ['fresh'] },
      },
    ]);
  });

  it('bad bodies are refused whole and change nothing', async () => {
    const before = await snapshot(cloud);
    const refused = async (path: string, body: unknown, msg: string) => {
      expect(await cloud.post(path, body, owner.token)).toEqual({ code: 211, msg: expect.stringContaining(msg), data: {} });
    };
    await refused('/browser/import', {}, 'rows must be an array of 1 to 500 rows');
    await refused('/browser/import', { rows: [] }, 'rows must hold 1 to 500 rows');
    await refused('/browser/import', { rows: Array(501).fill({}) }, 'rows takes at most 500 rows');
    await refused('/browser/import', { rows: [{}], dryRun: 'yes' }, 'dryRun must be true or false');
    await refused('/browser/import', { rows: [{}], extra: 1 }, 'property extra should not exist');
    await refused('/proxy/import', {}, 'text must be the pasted proxies');
    await refused('/proxy/import', { text: '\n# only a comment\n' }, 'text holds no proxy line');
    await refused('/proxy/import', { text: Array(501).fill('1.2.3.4:80').join('\n') }, 'at most 500 at once');
    expect(await snapshot(cloud)).toBe(before);
  });
});
