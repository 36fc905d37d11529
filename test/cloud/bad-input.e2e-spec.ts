import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFirefox, firefoxMajorOf } from '@cos/server-common';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createGroup, createTag, createWindow, registerOwner, snapshot } from '../support/factories';

describe('bad input: 211 (or 404/403) and nothing changed', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let other: Account;
  let w: { id: number; uuid: string };
  let w2: { id: number; uuid: string };
  let foreign: { id: number; uuid: string };
  let group: number;
  let tag: number;
  let foreignGroup: number;
  let foreignTag: number;

  beforeAll(async () => {
    cloud = await startCloud();
    owner = await registerOwner(cloud);
    other = await registerOwner(cloud);
    group = await createGroup(cloud, owner);
    tag = await createTag(cloud, owner);
    foreignGroup = await createGroup(cloud, other);
    foreignTag = await createTag(cloud, other);
    w = await createWindow(cloud, owner, { groupId: group });
    w2 = await createWindow(cloud, owner);
    foreign = await createWindow(cloud, other);
  });
  afterAll(() => cloud.close());

  async function refused(path: string, body: unknown, code: number, msg: string | RegExp) {
    const before = await snapshot(cloud);
    // Routes only the console calls (they set its cookie) are asked from the console's origin, as a browser would.
    const res = path.startsWith('/auth/invite/accept')
      ? (
          await cloud
            .raw()
            .post(path)
            .set('Host', 'cos.example')
            .set('Origin', 'http://cos.example')
            .send(body as object)
        ).body
      : await cloud.post(path, body, owner.token);
    expect(res).toEqual({ code, msg: typeof msg === 'string' ? expect.stringContaining(msg) : expect.stringMatching(msg), data: {} });
    expect(await snapshot(cloud)).toBe(before);
  }

  it('malformed JSON and bodies that are not objects', async () => {
    await refused('/browser/update', '{"name": ', 211, 'Malformed JSON');
    await refused('/browser/update', '[1,2]', 211, 'must be a JSON object');
    await refused('/browser/update', '"text"', 211, 'must be a JSON object');
    await refused('/browser/update', 'null', 211, 'must be a JSON object');
  });

  it('bodies nested thousands deep, NUL bytes, unpaired surrogates and prototype keys', async () => {
    const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    await refused(
      '/browser/update',
      `{"name":"x","browserFingerPrint":${deep(3500)}}`,
      211,
      /^browserFingerPrint(\.a)+ is nested deeper than 32 levels$/,
    );
    await refused('/browser/list', `{"keyword":${'['.repeat(5000)}${']'.repeat(5000)}}`, 211, 'nested deeper');
    await refused('/browser/update', { name: 'evil\u0000name' }, 211, 'name must not contain NUL characters');
    await refused(
      '/browser/update',
      { remark: 'ok', browserFingerPrint: { languages: ['en\u0000'] } },
      211,
      'browserFingerPrint.languages[0] must not contain NUL',
    );
    await refused('/browser/update', { config: { 'k\u0000': 1 } }, 211, 'NUL');
    await refused('/group/add', '{"name":"half \\ud800 a pair"}', 211, 'name contains an unpaired surrogate');
    await refused('/auth/me', '{"x":"\\udc00"}', 211, 'unpaired surrogate');
    await refused('/browser/update', '{"name":"x","__proto__":{"polluted":true}}', 211, 'property __proto__ should not exist');
    await refused('/browser/update', '{"name":"x","constructor":{"prototype":{}}}', 211, 'property constructor should not exist');
    await refused('/browser/update', { name: 'x', config: { prototype: 1 } }, 211, 'property config.prototype should not exist');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A well-formed pair is fine.
    expect((await cloud.post('/group/add', { name: 'emoji \ud83d\ude00' }, owner.token)).code).toBe(0);
  });

  it('unknown fields', async () => {
    await refused('/browser/update', { name: 'x', color: 'red' }, 211, 'property color should not exist');
    await refused('/browser/update/partial', { ids: [w.id], proxyType: 'http' }, 211, 'property proxyType should not exist');
    await refused('/browser/list', { sort: 'name' }, 211, 'sort');
    await refused('/group/add', { name: 'g', windows: [] }, 211, 'windows');
  });

  it('wrong types', async () => {
    await refused('/browser/update', { name: 5 }, 211, 'name');
    await refused('/browser/update', { remark: ['a'] }, 211, 'remark');
    await refused('/browser/update', { tagIds: 'x' }, 211, 'tagIds');
    await refused('/browser/update', { browserFingerPrint: 'x' }, 211, 'browserFingerPrint must be a JSON object');
    await refused('/browser/update', { browserFingerPrint: [] }, 211, 'browserFingerPrint must be a JSON object');
    await refused('/browser/update', { config: 1 }, 211, 'config must be a JSON object');
    await refused('/browser/update', { proxyMethod: 'two' }, 211, 'proxyMethod');
    await refused('/browser/update', { proxyType: 'ftp' }, 211, 'proxyType must be one of');
    await refused('/browser/update', { port: 'abc' }, 211, 'port');
    await refused('/browser/update', { isDynamicIpChangeIp: 'yes' }, 211, 'isDynamicIpChangeIp');
    await refused('/browser/remark/update', { ids: [w.id], remark: 3 }, 211, 'remark');
    await refused('/browser/list', { page: 'first' }, 211, 'page');
    await refused('/browser/list', { openStatus: 'open' }, 211, 'openStatus');
    await refused('/browser/list', { sortBy: 'proxy_password_enc' }, 211, 'sortBy must be one of createdAt, name');
    await refused('/browser/list', { sortBy: 'name', sortOrder: 'up' }, 211, 'sortOrder must be one of asc, desc');
    await refused('/browser/recycle/list', { sortBy: 'w.name; DROP TABLE windows' }, 211, 'sortBy');
    for (const counts of ['yes', 1, 'true', [true], {}]) await refused('/tag/list', { counts }, 211, 'counts must be true or false');
  });

  it('fingerprint and config fields the contract names', async () => {
    await refused('/browser/update', { browserFingerPrint: { languages: 'en-US' } }, 211, 'browserFingerPrint.languages');
    await refused('/browser/update', { browserFingerPrint: { languages: ['en US'] } }, 211, 'language tag');
    await refused('/browser/update', { browserFingerPrint: { timezone: 'Mars/Olympus' } }, 211, 'browserFingerPrint.timezone');
    await refused('/browser/update', { browserFingerPrint: { resolution: '1920*1080' } }, 211, 'browserFingerPrint.resolution');
    await refused('/browser/update', { browserFingerPrint: { hardwareConcurrency: 0 } }, 211, 'hardwareConcurrency');
    await refused('/browser/update', { browserFingerPrint: { hardwareConcurrency: 2.5 } }, 211, 'hardwareConcurrency');
    await refused('/browser/update', { browserFingerPrint: { webrtc: 'on' } }, 211, 'webrtc');
    await refused('/browser/update', { browserFingerPrint: { doNotTrack: 'yes' } }, 211, 'doNotTrack');
    await refused('/browser/update', { browserFingerPrint: { userAgent: 'x'.repeat(513) } }, 211, 'userAgent');
    await refused('/browser/update/partial', { ids: [w.id], config: { syncCookies: 'no' } }, 211, 'config.syncCookies must be a boolean');
  });

  it('fingerprints a Firefox window cannot make true', async () => {
    const major = firefoxMajorOf(findFirefox()!)!;
    const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
    const safari = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
    const firefox = (v: number) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`;
    for (const path of ['/browser/update', '/browser/update/partial']) {
      const ref = path === '/browser/update' ? { id: w2.id } : { ids: [w2.id] };
      const send = (browserFingerPrint: unknown) => ({ ...ref, browserFingerPrint });
      await refused(path, send({ userAgent: chrome }), 211, 'browserFingerPrint.userAgent is a chrome user agent');
      await refused(path, send({ userAgent: safari }), 211, 'browserFingerPrint.userAgent is a safari user agent');
      await refused(
        path,
        send({ userAgent: firefox(major - 10) }),
        211,
        `userAgent says Firefox ${major - 10} but windows run Firefox ${major}`,
      );
      await refused(
        path,
        send({ coreVersion: '118' }),
        211,
        `browserFingerPrint.coreVersion must be ${major}, the Firefox windows run (asked for 118)`,
      );
      await refused(
        path,
        send({ userAgent: firefox(major), os: 'MacIntel' }),
        211,
        'browserFingerPrint.userAgent names windows but os/platform name macos',
      );
      await refused(path, send({ os: 'Win32', platform: 'Linux x86_64' }), 211, 'browserFingerPrint.platform');
      await refused(path, send({ ostype: 'Android' }), 211, 'browserFingerPrint.ostype must be PC');
      await refused(path, send({ resolution: '640x480' }), 211, 'browserFingerPrint.resolution must be at least 800x600');
      await refused(path, send({ languages: ['sw-KE'] }), 211, 'browserFingerPrint.languages[0] "sw-KE" has no Firefox language pack');
      await refused(path, send({ deviceMemory: 8 }), 211, 'browserFingerPrint.deviceMemory cannot be made true');
      await refused(path, send({ canvasNoise: 0.2 }), 211, 'browserFingerPrint.canvasNoise is not a fingerprint field');
      await refused(
        path,
        send({
          os: 'MacIntel',
          webglVendor: 'Google Inc. (NVIDIA)',
          webglRenderer: 'ANGLE (NVIDIA, NVIDIA GeForce GTX 980 Direct3D11 vs_5_0 ps_5_0), or similar',
        }),
        211,
        'browserFingerPrint.webglRenderer',
      );
      await refused(path, send({ fonts: ['Comic Sans MS'] }), 211, 'browserFingerPrint.fonts has "Comic Sans MS"');
      await refused(path, send({ noiseSeed: 'not hex' }), 211, 'browserFingerPrint.noiseSeed');
    }
    // A create is refused the same way, and creates nothing.
    await refused('/browser/update', { name: 'chrome', browserFingerPrint: { userAgent: chrome } }, 211, 'chrome user agent');
    const kept = await cloud.post(
      '/browser/update',
      { id: w2.id, browserFingerPrint: { userAgent: firefox(major), coreVersion: String(major) } },
      owner.token,
    );
    expect(kept.data).toMatchObject({ browserFingerPrint: { userAgent: firefox(major), coreVersion: String(major) } });
  });

  it('random fingerprints', async () => {
    await refused('/browser/fingerprint/random', { os: 'android' }, 211, 'os must be one of windows, macos, linux');
    await refused('/browser/fingerprint/random', { locale: 'sw-KE' }, 211, 'locale must be one of');
    await refused('/browser/fingerprint/random', { timezone: 'Mars/Olympus' }, 211, 'timezone must be an IANA time zone');
    await refused('/browser/fingerprint/random', { timezone: 5 }, 211, 'timezone');
    await refused('/browser/fingerprint/random', { gpu: 'x' }, 211, 'property gpu should not exist');
  });

  it('missing fields', async () => {
    await refused('/browser/update/partial', { name: 'x' }, 211, 'ids');
    await refused('/browser/group/update', { ids: [w.id] }, 211, 'groupId');
    await refused('/browser/remark/update', { ids: [w.id] }, 211, 'remark');
    await refused('/browser/proxy/update', { ids: [w.id] }, 211, 'proxyMethod');
    await refused('/browser/delete', {}, 211, 'required');
    await refused('/browser/detail', {}, 211, 'required');
    await refused('/group/add', {}, 211, 'name');
    await refused('/auth/login', { email: 'a@b.co' }, 211, 'password');
    await refused('/auth/login', { email: owner.email, password: owner.password, deviceId: 'desk-1' }, 211, 'deviceId must be a device id');
  });

  it('over-long strings', async () => {
    await refused('/browser/update', { name: 'n'.repeat(101) }, 211, 'name must be 1 to 100 characters');
    await refused('/browser/update', { remark: 'r'.repeat(1001) }, 211, 'remark must be at most 1000 characters');
    await refused('/browser/remark/update', { ids: [w.id], remark: 'r'.repeat(1001) }, 211, 'remark');
    await refused('/browser/update', { host: 'h'.repeat(256) }, 211, 'host');
    await refused('/group/add', { name: 'g'.repeat(101) }, 211, 'name');
    await refused('/tag/add', { name: 't'.repeat(51) }, 211, 'name');
    await refused('/browser/update', { name: '   ' }, 211, 'name');
  });

  it('zero, negative, huge and non-numeric ids', async () => {
    for (const id of [0, -1, 2_147_483_648, 1e20, 1.5, 'abc', '12a', true]) {
      await refused('/browser/detail', { id }, 211, 'id');
      await refused('/browser/update/partial', { ids: [id], name: 'x' }, 211, 'ids');
      await refused('/browser/delete', { browserId: id }, 211, 'browserId');
    }
    await refused('/browser/detail', { uuid: 'not-a-uuid' }, 211, 'uuid');
    for (const id of [0, -1, 1.5, 'abc', true]) await refused('/browser/launch', { id }, 211, 'id');
    await refused('/browser/launch', {}, 211, 'is required');
    await refused('/browser/launch', { uuid: 'not-a-uuid' }, 211, 'uuid');
    await refused('/browser/update/partial', { ids: [], name: 'x' }, 211, 'ids must not be empty');
    await refused('/browser/update', { groupId: -3 }, 211, 'groupId');
  });

  it('1,001 ids', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => i + 1);
    await refused('/browser/update/partial', { ids, name: 'x' }, 211, 'ids takes at most 1000 ids');
    await refused('/browser/delete/ids', { ids }, 211, 'at most 1000');
    await refused('/browser/recycle/restore', { ids }, 211, 'at most 1000');
  });

  it("group and tag ids must be the team's", async () => {
    await refused('/browser/update', { name: 'x', groupId: foreignGroup }, 211, `groupId ${foreignGroup} does not exist`);
    await refused('/browser/update', { name: 'x', groupId: 999999 }, 211, 'groupId 999999 does not exist');
    await refused('/browser/update', { name: 'x', tagIds: [tag, foreignTag] }, 211, `tag ${foreignTag} does not exist`);
    await refused('/browser/update/partial', { ids: [w.id], groupId: foreignGroup }, 211, 'does not exist');
    await refused('/browser/group/update', { ids: [w.id, w2.id], groupId: foreignGroup }, 211, 'does not exist');
    await refused('/browser/update/partial', { ids: [w.id], tagIds: [foreignTag] }, 211, 'does not exist');
    await refused(
      '/team/member/add',
      { email: 'x@example.com', password: 'password-1', scope: 'groups', groupIds: [foreignGroup] },
      211,
      'does not exist',
    );
  });

  it('a batch with one foreign or unknown id fails whole', async () => {
    await refused(
      '/browser/update/partial',
      { ids: [w.id, w2.id, foreign.id], name: 'all or nothing' },
      404,
      `Window ${foreign.id} not found`,
    );
    await refused('/browser/remark/update', { ids: [w.id, 999999], remark: 'x' }, 404, 'Window 999999 not found');
    await refused('/browser/proxy/update', { ids: [w.id, foreign.id], proxyMethod: 2, proxyType: 'direct' }, 404, 'not found');
    await refused('/browser/delete/ids', { ids: [w.id, foreign.id] }, 404, 'not found');
    await refused('/browser/detail', { id: foreign.id }, 404, 'not found');
    await refused('/browser/detail', { id: w.id, uuid: foreign.uuid }, 404, 'not found');
    await refused('/browser/recycle/restore', { ids: [w.id] }, 404, 'not found in the recycle bin');
  });

  it('proxy settings are checked per method', async () => {
    await refused('/browser/update', { proxyType: 'socks5' }, 211, 'needs host and port');
    await refused('/browser/update', { proxyMethod: 2, proxyType: 'http', host: 'h' }, 211, 'needs host and port');
    await refused('/browser/proxy/update', { ids: [w.id], proxyMethod: 3 }, 211, 'proxyMethod 3 needs dynamicIpUrl');
    await refused(
      '/browser/proxy/update',
      { ids: [w.id], proxyMethod: 3, dynamicIpUrl: 'ftp://x' },
      211,
      'dynamicIpUrl must be an http(s) URL',
    );
    await refused('/browser/proxy/update', { ids: [w.id], proxyMethod: 4 }, 211, 'proxyMethod 4 needs proxyId');
    await refused('/browser/proxy/update', { ids: [w.id], proxyMethod: 5 }, 211, 'proxyMethod must be 2, 3 or 4');
    await refused('/browser/update', { id: w.id, proxyType: 'http', port: 70000 }, 211, 'port must be an integer from 1 to 65535');
    await refused('/browser/update', { id: w.id, proxyType: 'http' }, 211, 'needs host and port');
  });

  it('several windows where one is expected', async () => {
    await refused('/browser/detail', { id: [w.id, w2.id] }, 211, 'id');
    await refused('/browser/launch', { id: w.id, browserId: w2.id }, 211, 'only one window per call');
    await refused('/browser/launch', { id: w.id, uuid: w2.uuid }, 404, 'not found');
    await refused('/browser/launch', { id: foreign.id }, 404, 'not found');
    await refused('/browser/delete', { ids: [w.id], id: w2.id }, 211, 'either ids or one of');
  });

  it('cookie imports: every cookie checked, foreign windows unknown', async () => {
    const good = { name: 'k', value: 'v', domain: 'a.test', path: '/', secure: false, httpOnly: false, sameSite: 'lax' };
    await refused('/browser/cookies/import', { uuid: w.uuid }, 211, 'cookies must be an array');
    await refused('/browser/cookies/import', { uuid: w.uuid, cookies: 'k=v' }, 211, 'cookies must be an array');
    await refused(
      '/browser/cookies/import',
      { uuid: w.uuid, cookies: [good, { ...good, sameSite: 'sometimes' }] },
      211,
      'cookies.1.sameSite',
    );
    await refused('/browser/cookies/import', { uuid: w.uuid, cookies: [{ ...good, secure: 'yes' }] }, 211, 'secure');
    await refused('/browser/cookies/import', { uuid: w.uuid, cookies: [{ ...good, name: '' }] }, 211, 'cookies[0]: name must be');
    await refused('/browser/cookies/import', { uuid: w.uuid, cookies: [{ ...good, value: 'a;b' }] }, 211, 'cookies[0]: value');
    await refused('/browser/cookies/import', { uuid: w.uuid, cookies: [{ ...good, path: 'nope' }] }, 211, 'cookies[0]: path');
    await refused('/browser/cookies/import', { uuid: w.uuid, cookies: [{ ...good, domain: 'a b' }] }, 211, 'cookies[0]: domain');
    await refused('/browser/cookies/import', { uuid: w.uuid, cookies: [{ ...good, expiry: -1 }] }, 211, 'expiry');
    await refused('/browser/cookies/import', { uuid: w.uuid, cookies: [good], mode: 'append' }, 211, 'mode must be one of merge, replace');
    await refused('/browser/cookies/import', { uuid: w.uuid, cookies: [good], extra: 1 }, 211, 'extra');
    const many = Array.from({ length: 20_001 }, (_, i) => ({ ...good, name: `c${i}` }));
    await refused('/browser/cookies/import', { uuid: w.uuid, cookies: many }, 211, 'at most 20000 cookies');
    await refused('/browser/cookies/import', { uuid: foreign.uuid, cookies: [good] }, 404, 'not found');
    await refused('/browser/cookies/export', { uuid: foreign.uuid }, 404, 'not found');
    await refused('/browser/cookies/export', {}, 211, 'required');
    // The device is the one the cloud issued to the caller: a caller cannot name another.
    await refused('/browser/cookies/export', { uuid: w.uuid, deviceId: 'desk-7' }, 211, 'property deviceId should not exist');
  });

  it('one cookie check for every way in: imports, profile commits and closes refuse what would break a cookie or a cookies.txt', async () => {
    const good = { name: 'k', value: 'v', domain: 'a.test', path: '/', secure: false, httpOnly: false, sameSite: 'lax' };
    const crlf = { ...good, value: 'x\r\nevil.test\tTRUE\t/\tFALSE\t0\tadmin\t1' };
    for (const domain of ['.com', '..', ':', '[', '_', '.co.uk']) {
      await refused('/browser/cookies/import', { uuid: w.uuid, cookies: [{ ...good, domain }] }, 211, 'cookies[0]: domain');
    }
    await refused('/browser/cookies/import', { uuid: w.uuid, cookies: [good, { ...good, value: 'a\tb' }] }, 211, 'cookies[1]: value');
    const commit = {
      uuid: w.uuid,
      deviceId: 'd1',
      commitId: '6f1c2d3e-0000-4000-8000-0000000000aa',
      baseVersion: null,
      sync: {},
      files: [],
    };
    await refused('/browser/profile/commit', { ...commit, cookies: [good, crlf] }, 211, 'cookies[1]: value must be');
    await refused('/browser/profile/commit', { ...commit, cookies: [{ ...good, name: 'a\nb' }] }, 211, 'cookies[0]: name must be');
    await refused(
      '/browser/profile/commit',
      { ...commit, cookies: [{ ...good, domain: '.com' }] },
      211,
      'cookies[0]: domain .com is a public suffix',
    );
    await refused('/browser/close', { uuid: w.uuid, deviceId: 'd1', cookies: [crlf] }, 211, 'cookies[0]: value must be');
    await refused('/browser/close', { uuid: w.uuid, deviceId: 'd1', cookies: [{ ...good, path: '/a\tb' }] }, 211, 'cookies[0]: path must');
    await refused('/browser/close', { uuid: w.uuid, deviceId: 'd1', cookies: [{ ...good, domain: '_' }] }, 211, 'cookies[0]: domain');
  });

  it('profile versions: hashes, versions and foreign windows', async () => {
    await refused('/browser/profile/blobs/missing', { uuid: w.uuid, sha256s: 'x' }, 211, 'sha256s must be an array');
    await refused('/browser/profile/blobs/missing', { uuid: w.uuid, sha256s: ['XYZ'] }, 211, 'sha256s must be 64 lower-case hex digits');
    await refused('/browser/profile/blobs/missing', { uuid: w.uuid, sha256s: Array(100_001).fill('a'.repeat(64)) }, 211, 'at most 100000');
    await refused('/browser/profile/blobs/missing', { uuid: foreign.uuid, sha256s: [] }, 404, 'not found');
    await refused('/browser/profile/manifest', { uuid: w.uuid, version: 0 }, 211, 'version must be a positive integer');
    await refused('/browser/profile/manifest', { uuid: w.uuid, version: 'latest' }, 211, 'version must be a positive integer');
    await refused('/browser/profile/manifest', { uuid: w.uuid }, 404, 'has no profile version yet');
    await refused('/browser/profile/restore', { uuid: w.uuid }, 211, 'version must be a positive integer');
    await refused('/browser/profile/restore', { uuid: w.uuid, version: 3 }, 404, 'is not kept');
    await refused('/browser/profile/restore', { uuid: foreign.uuid, version: 1 }, 404, 'not found');
    await refused('/browser/profile/versions', { uuid: foreign.uuid }, 404, 'not found');
    await refused(
      '/browser/profile/commit',
      { uuid: w.uuid, deviceId: 'd', commitId: 'x', baseVersion: null, sync: {}, files: [] },
      211,
      'commitId',
    );
    const commit = { uuid: w.uuid, deviceId: 'd', commitId: '6f1c2d3e-0000-4000-8000-0000000000aa', baseVersion: null, sync: {} };
    const file = { path: 'cookies.sqlite', size: 1, sha256: 'a'.repeat(64) };
    await refused('/browser/profile/commit', { ...commit, files: [{ ...file, sha256: '../local-token' }] }, 211, 'sha256 must be 64');
    await refused('/browser/profile/commit', { ...commit, files: [{ ...file, path: 'C:/Windows/x' }] }, 211, 'contains a colon');
    await refused('/browser/profile/commit', { ...commit, files: [{ ...file, path: 'pkcs11.txt' }] }, 211, 'is never synced');
    // A version keeps the sync settings a window has, as booleans, and nothing else a member sends.
    for (const sync of [{ evil: 1 }, { syncCookies: 'yes' }, { syncCookies: true, extra: false }])
      await refused('/browser/profile/commit', { ...commit, files: [], sync }, 211, 'sync takes only booleans named syncCookies');
  });

  it('null where a list or a password goes is refused by name, never a 500', async () => {
    await refused('/browser/update', { name: 'x', tagIds: null }, 211, 'tagIds must be an array of ids');
    await refused('/browser/update', { id: w.id, name: 'x', tagIds: null }, 211, 'tagIds must be an array of ids');
    await refused('/browser/update/partial', { ids: [w.id], tagIds: null }, 211, 'tagIds must be an array of ids');
    await refused('/browser/update', { id: w.id, proxyPassword: null }, 211, 'proxyPassword must be a string');
    await refused('/browser/update', { name: 'x', proxyPassword: null }, 211, 'proxyPassword must be a string');
    // A NOT NULL column behind each: null reached the database and answered 500.
    for (const [field, msg] of [
      ['name', 'name must be'],
      ['remark', 'remark must be'],
      ['config', 'config must be a JSON object'],
      ['browserFingerPrint', 'browserFingerPrint must be a JSON object'],
    ]) {
      await refused('/browser/update', { id: w.id, [field]: null }, 211, msg);
      await refused('/browser/update/partial', { ids: [w.id], [field]: null }, 211, msg);
    }
    for (const permissions of [true, -1, '', 'browser:list', {}])
      await refused(
        '/team/member/add',
        { email: 'p@example.com', password: 'password-1', permissions },
        211,
        'permissions must be an array',
      );
  });

  it('page sizes', async () => {
    await refused('/browser/list', { pageSize: 0 }, 211, 'pageSize must be 1 to 100');
    await refused('/browser/list', { pageSize: 101 }, 211, 'pageSize must be 1 to 100');
    await refused('/browser/list', { page: -1 }, 211, 'page');
  });

  it('duplicate names and unknown rows', async () => {
    const name = 'unique group';
    await cloud.post('/group/add', { name }, owner.token);
    await refused('/group/add', { name }, 409, 'already exists');
    await refused('/group/update', { id: 999999, name: 'x' }, 404, 'Group 999999 not found');
    await refused('/tag/delete', { id: foreignTag }, 404, 'not found');
    await refused('/team/member/remove', { userId: other.userId }, 404, 'not found');
    await refused('/auth/token/revoke', { id: 999999 }, 404, 'not found');
    const theirs = (await cloud.post('/auth/token/create', { name: 'theirs' }, other.token)).data;
    await refused('/auth/token/revoke', { id: theirs.id }, 404, `API token ${theirs.id} not found`);
    // An API token revokes only itself and the tokens it created: the user's others are unknown to it.
    const script = (await cloud.post('/auth/token/create', { name: 'script' }, owner.token)).data;
    const kept = (await cloud.post('/auth/token/create', { name: 'kept' }, owner.token)).data;
    expect((await cloud.post('/auth/me', {}, script.token)).code).toBe(0);
    const before = await snapshot(cloud);
    expect(await cloud.post('/auth/token/revoke', { id: kept.id }, script.token)).toEqual({
      code: 404,
      msg: `API token ${kept.id} not found`,
      data: {},
    });
    expect(await snapshot(cloud)).toBe(before);
  });

  it('audit times: a full ISO date-time with an offset, nothing the database would refuse', async () => {
    for (const since of [
      '2020',
      '2020-01',
      '2020-W01-1',
      '2020-01-01',
      '2020-001',
      '2020-01-01T00:00:00',
      '2020-02-30T00:00:00Z',
      '2020-01-01T24:00:00Z',
      '0000-01-01T00:00:00Z',
      '2020-01-01T00:00:00+15:00',
      '2020-01-01 00:00:00Z',
      20200101,
    ]) {
      await refused('/audit/list', { since }, 211, 'since must be a full ISO 8601 date-time');
    }
    await refused('/audit/list', { until: '2020-W01-1' }, 211, 'until must be a full ISO 8601 date-time');
    await refused('/audit/list', { kind: null }, 211, 'kind must be one of');
    for (const since of ['2020-01-01T00:00:00Z', '2020-02-29T23:59:59.999999+14:00', '2020-01-01T00:00-05:30', '9999-12-31T23:59:59Z']) {
      expect((await cloud.post('/audit/list', { since, until: since }, owner.token)).code).toBe(0);
    }
  });

  it('remote open and close on a device, and the device list', async () => {
    for (const path of ['/browser/open', '/browser/close']) {
      await refused(path, { uuid: w.uuid, device: '' }, 211, 'device must be a device id');
      await refused(path, { uuid: w.uuid, device: 'a b' }, 211, 'device must be a device id');
      await refused(path, { uuid: w.uuid, device: 'd'.repeat(101) }, 211, 'device must be a device id');
      await refused(path, { uuid: w.uuid, device: ['dev-1'] }, 211, 'device must be a device id');
      await refused(path, { device: 'dev-1' }, 211, 'is required');
      await refused(path, { uuid: 'nope', device: 'dev-1' }, 211, 'uuid');
      await refused(path, { uuid: w.uuid, device: 'dev-1', ifOffline: 'later' }, 211, 'ifOffline must be one of refuse, wait');
      for (const waitMs of [999, 600_001, 1.5, '5000', null])
        await refused(path, { uuid: w.uuid, device: 'dev-1', waitMs }, 211, 'waitMs must be a whole number of milliseconds');
      // A remote call carries no close report: a cookie list beside a device is a field too many.
      await refused(path, { uuid: w.uuid, device: 'dev-1', cookies: [] }, 211, 'property cookies should not exist');
      await refused(path, { uuid: w.uuid, device: 'dev-1' }, 404, 'Device dev-1 not found');
      // Another team's window on a device that does not exist: the device is refused first, alike.
      await refused(path, { uuid: foreign.uuid, device: owner.deviceId }, 404, `Device ${owner.deviceId} not found`);
    }
    const line = '11111111-2222-4333-8444-555555555555';
    const hello = {
      version: '1',
      hostname: 'desk',
      platform: 'linux',
      capacity: { windowsRunning: 0, freeMemoryBytes: 1, totalMemoryBytes: 1 },
    };
    await refused('/device/line/poll', { hello }, 211, 'line must be a UUID');
    await refused('/device/line/poll', { line }, 211, 'hello is required');
    await refused('/device/line/poll', { line, hello: null }, 211, 'hello must be an object');
    await refused('/device/line/poll', { line, hello: { ...hello, hostname: '<b>\u0007' } }, 211, 'hello: version, hostname, platform');
    await refused(
      '/device/line/poll',
      { line, hello: { ...hello, capacity: { windowsRunning: -1 } } },
      211,
      'hello: version, hostname, platform',
    );
    await refused('/device/line/poll', { line, hello: { ...hello, type: 'answer' } }, 211, 'hello: unknown field type');
    await refused('/device/line/poll', { line, hello: { ...hello, shell: 'rm' } }, 211, 'hello: unknown field');
    for (const waitMs of [-1, 25_001, 'x', null])
      await refused('/device/line/poll', { line, hello, waitMs }, 211, 'waitMs must be a whole number');
    const answer = { commandId: '11111111-2222-4333-8444-555555555555', code: 0, msg: 'ok', data: {} };
    await refused('/device/line/answer', { line }, 211, 'answer is required');
    await refused(
      '/device/line/answer',
      { line, answer: { ...answer, commandId: 'x' } },
      211,
      'answer: commandId, code, msg and data required',
    );
    await refused(
      '/device/line/answer',
      { line, answer: { ...answer, code: 1000 } },
      211,
      'answer: commandId, code, msg and data required',
    );
    await refused('/device/line/answer', { line, answer: { ...answer, data: [] } }, 211, 'answer: commandId, code, msg and data required');
    await refused('/device/line/answer', { line, answer: { ...answer, data: { big: 'x'.repeat(70_000) } } }, 211, 'answer: data too large');
    // An answer to nothing sent on that line is taken and changes nothing.
    expect(await cloud.post('/device/line/answer', { line, answer }, owner.token)).toEqual({
      code: 0,
      msg: 'success',
      data: { recorded: false },
    });
    await refused('/browser/open', { uuid: w.uuid }, 211, 'device must be a device id');
    for (const userId of [0, -1, 'x', 1.5]) await refused('/device/list', { userId }, 211, 'userId must be a whole number');
    await refused('/device/list', { teamId: 1 }, 211, 'property teamId should not exist');
  });

  it('unknown fields on routes that take none', async () => {
    for (const path of ['/browser/profile/usage', '/team/member/list', '/auth/me', '/auth/token/list', '/browser/recycle/clear']) {
      await refused(path, { teamId: 1 }, 211, 'property teamId should not exist');
      expect((await cloud.post(path, {}, owner.token)).code).toBe(0);
    }
  });

  it('API token options', async () => {
    await refused('/auth/token/create', { name: 't', mayCreateTokens: 'yes' }, 211, 'mayCreateTokens must be a boolean');
    await refused('/auth/token/create', { name: 't', mayCreateTokens: 1 }, 211, 'mayCreateTokens must be a boolean');
    await refused('/auth/token/create', { name: 't', parentId: 1 }, 211, 'parentId');
    // Token ids as every other id: a number or a string of digits, and a message that says so when neither.
    for (const id of [[7], 'abc', 0, 1.5, null]) await refused('/auth/token/revoke', { id }, 211, /^id must be a positive integer$/);
    await refused('/auth/token/revoke', { id: 2147483648 }, 211, /^id is too large$/);
    const listed = (await cloud.post('/auth/token/create', { name: 'by digits' }, owner.token)).data;
    expect(await cloud.post('/auth/token/revoke', { id: String(listed.id) }, owner.token)).toEqual({ code: 0, msg: 'success', data: {} });
  });

  it('refresh tokens that are not strings', async () => {
    for (const refreshToken of [['abc'], 7, { a: 1 }, null]) {
      await refused('/auth/refresh', { refreshToken }, 211, /^refreshToken must be a string$/);
      await refused('/auth/logout', { refreshToken }, 211, /^refreshToken must be a string$/);
    }
    await refused('/auth/refresh', { refreshToken: 'r'.repeat(201) }, 211, /^refreshToken must be at most 200 characters$/);
  });

  it('tasks: steps by allowlist (eval code is never filled from variables), names, versions', async () => {
    const steps = [{ type: 'navigate', url: 'https://{{host}}/a' }];
    const made = await cloud.post('/task/create', { name: 'sweep', steps }, owner.token);
    expect(made.data).toMatchObject({ version: 1, variables: ['host'] });
    const id = made.data.id;
    const bad: [unknown, string | RegExp][] = [
      [undefined, 'steps must be an array of 1 to 100 steps'],
      [[], 'steps must be an array of 1 to 100 steps'],
      [Array(101).fill({ type: 'wait', ms: 1 }), 'steps must be an array of 1 to 100 steps'],
      [[{ type: 'shell', cmd: 'rm' }], 'steps[0].type must be one of'],
      [[{ type: 'navigate', url: 'file:///etc/passwd' }], 'steps[0].url must be an http(s) URL'],
      [[{ type: 'navigate', url: 'ftp://{{host}}/' }], 'steps[0].url must be an http(s) URL'],
      [[{ type: 'navigate', url: 'x{{host}}' }], 'steps[0].url must be an absolute http(s) URL'],
      [[{ type: 'eval', code: 'x'.repeat(20_001) }], 'steps[0].code must be a non-empty string of at most 20000'],
      [[{ type: 'eval', code: '1', as: 'a-b' }], 'steps[0].as must be a name'],
      [[{ type: 'extract', selector: 'h1' }], 'steps[0].as is required for a extract step'],
      [[{ type: 'extract', selector: 'h1', as: 'a', all: 'yes' }], 'steps[0].all must be true or false'],
      [
        [
          { type: 'eval', code: '1', as: 'a' },
          { type: 'extract', selector: 'h1', as: 'a' },
        ],
        'steps[1].as: a is captured by an earlier step',
      ],
      [[{ type: 'click', selector: 'a', __proto__x: 1 }], 'steps[0].__proto__x is not a field of a click step'],
      [[{ type: 'screenshot', fullPage: 'yes' }], 'steps[0].fullPage must be true or false'],
      [[{ type: 'screenshot', path: '/tmp/x.png' }], 'steps[0].path is not a field of a screenshot step'],
      [Array(11).fill({ type: 'screenshot' }), 'steps take at most 10 screenshots'],
      [Array(100).fill({ type: 'type', selector: 'a', text: 'x'.repeat(1000) }), 'steps must be at most 40960 bytes'],
    ];
    for (const [value, msg] of bad) {
      await refused('/task/create', { name: 'bad', steps: value }, 211, msg);
      if (value !== undefined) await refused('/task/update', { id, steps: value }, 211, msg);
    }
    await refused('/task/create', { name: 'sweep', steps }, 409, 'A task named "sweep" already exists');
    await refused('/task/create', { name: ' ', steps }, 211, 'name must be 1 to 100 characters');
    // A save made on an older version is refused, and says which version is current.
    const stale = await cloud.post('/task/update', { id, version: 7, description: 'x' }, owner.token);
    expect(stale).toEqual({ code: 409, msg: expect.stringContaining('is at version 1 now, not 7'), data: { version: 1 } });
    await refused('/task/update', { id, timeoutMs: 0 }, 211, 'timeoutMs must be 1 to 120000');
    await refused('/task/update', { id, retries: 6 }, 211, 'retries must be 0 to 5');
    await refused('/task/restore', { id, version: 1 }, 404, 'has no version 1 saved before (it is the current one)');
    await refused('/task/detail', { id: 2147483647 }, 404, 'Task 2147483647 not found');
    await refused('/task/versions', { id: 'x' }, 211, 'id must be a positive integer');
  });

  it('runs: windows named one way, devices, variables and secrets by allowlist, keys, run ids', async () => {
    const task = (
      await cloud.post('/task/create', { name: 'run sweep', steps: [{ type: 'type', selector: '#u', text: '{{user}}' }] }, owner.token)
    ).data;
    const base = { taskId: task.id, windowIds: [w.id], devices: ['dev-x'], variables: { user: 'u' } };
    await refused('/run/start', { ...base, windowIds: undefined }, 211, 'exactly one of windowIds, groupId or tagId');
    await refused('/run/start', { ...base, groupId: group }, 211, 'exactly one of windowIds, groupId or tagId');
    await refused('/run/start', { ...base, devices: [] }, 211, 'devices must name at least one device');
    await refused('/run/start', { ...base, devices: Array(21).fill('d') }, 211, 'devices takes at most 20 devices');
    await refused('/run/start', { ...base, devices: [7] }, 211, 'devices must be device ids');
    await refused('/run/start', { ...base, concurrency: 0 }, 211, 'concurrency must be 1 to 50');
    await refused('/run/start', { ...base, variables: [] }, 211, 'variables must be an object of names to text');
    await refused('/run/start', { ...base, variables: { 'bad name': 'x' } }, 211, 'variables: bad name is not a name');
    await refused('/run/start', { ...base, variables: { user: 7 } }, 211, 'variables.user must be text');
    await refused('/run/start', { ...base, variables: { user: 'a\u0000' } }, 211, 'variables.user must not contain NUL');
    await refused('/run/start', { ...base, variables: {} }, 211, 'variables without a value: user');
    await refused('/run/start', { ...base, secrets: { user: 's' } }, 211, 'user given as both a variable and a secret');
    await refused('/run/start', { ...base, idempotencyKey: 'has space' }, 211, 'idempotencyKey must be 1 to 100 printable');
    await refused('/run/start', { ...base, taskId: 2147483647 }, 404, 'Task 2147483647 not found');
    await refused('/run/start', base, 404, 'Device dev-x not found');
    await refused('/run/start', { ...base, windowIds: [foreign.id] }, 404, `Window ${foreign.id} not found`);
    for (const id of ['x', 7, null, '11111111-2222-4333-8444-55555555555']) {
      await refused('/run/detail', { id }, 211, 'id must be a run id (a UUID)');
      await refused('/run/cancel', { id }, 211, 'id must be a run id (a UUID)');
    }
  });

  it('variables: names, values, windows', async () => {
    for (const name of [undefined, 7, '', '1a', 'a-b', 'a'.repeat(65), ['a']])
      await refused('/variable/set', { name, value: 'x' }, 211, 'name must be letters, digits and _');
    for (const value of [undefined, 7, null, { a: 1 }, 'v'.repeat(10_001)])
      await refused('/variable/set', { name: 'a', value }, 211, 'value must be text of at most 10000 characters');
    await refused('/variable/set', { name: 'a', value: 'x\u0000' }, 211, 'value must not contain NUL characters');
    await refused('/variable/set', { name: 'a', value: 'x\udc00' }, 211, 'unpaired surrogate');
    await refused('/variable/set', { name: 'a', value: 'x', secret: 1 }, 211, 'secret must be true or false');
    await refused('/variable/set', { name: 'a', value: 'x', scope: 'team' }, 211, 'property scope should not exist');
    for (const windowId of ['x', 0, -1, 1.5])
      await refused('/variable/set', { windowId, name: 'a', value: 'x' }, 211, 'windowId must be a positive integer');
    await refused('/variable/set', { windowId: foreign.id, name: 'a', value: 'x' }, 404, `Window ${foreign.id} not found`);
    await refused('/variable/list', { windowId: foreign.id }, 404, `Window ${foreign.id} not found`);
    await refused('/variable/delete', { windowId: w.id, name: 'a' }, 404, `Variable a not found on window ${w.id}`);
  });

  it('invitations: emails, access, ids and link tokens by field', async () => {
    await refused('/team/invite/create', {}, 211, 'email');
    await refused('/team/invite/create', { email: 'not-an-email' }, 211, 'email must be an email address');
    await refused('/team/invite/create', { email: `${'a'.repeat(250)}@example.com` }, 211, 'email');
    await refused('/team/invite/create', { email: 'i@example.com', role: 'boss' }, 211, 'role must be one of');
    await refused('/team/invite/create', { email: 'i@example.com', permissions: ['fly'] }, 211, 'permissions has an unknown permission');
    await refused('/team/invite/create', { email: 'i@example.com', scope: 'some' }, 211, 'scope must be one of');
    await refused('/team/invite/create', { email: 'i@example.com', groupIds: null }, 211, 'groupIds');
    await refused('/team/invite/create', { email: 'i@example.com', scope: 'groups', groupIds: [foreignGroup] }, 211, 'does not exist');
    await refused('/team/invite/create', { email: 'i@example.com', password: 'password-1' }, 211, 'property password should not exist');
    await refused('/team/invite/create', { email: owner.email }, 409, 'has an account already');
    for (const id of [0, -1, 1.5, 'abc', null]) await refused('/team/invite/revoke', { id }, 211, 'id');
    await refused('/team/invite/revoke', { id: 2147483647 }, 404, 'Invitation 2147483647 not found');
    await refused('/team/invite/list', { status: 'pending' }, 211, 'status');
    for (const path of ['/auth/invite/check', '/auth/invite/accept']) {
      const more = path.endsWith('accept') ? { password: 'password-1' } : {};
      await refused(path, { ...more }, 211, 'token');
      await refused(path, { token: null, ...more }, 211, 'token must be a string');
      await refused(path, { token: 'short', ...more }, 211, "token must be an invitation link's token");
      await refused(path, { token: `${'A'.repeat(42)}=`, ...more }, 211, "token must be an invitation link's token");
    }
    await refused('/auth/invite/check', { token: 'A'.repeat(43) }, 404, 'This invitation link is not valid any more');
    await refused('/auth/invite/accept', { token: 'A'.repeat(43), password: 'short' }, 211, 'password must be 8 to 128 characters');
    await refused('/auth/invite/accept', { token: 'A'.repeat(43), password: 'password-1', email: 'x@example.com' }, 211, 'email');
  });

  it('imports: rows and pasted lists, bounded', async () => {
    await refused('/browser/import', { rows: 'a,b,c' }, 211, 'rows must be an array of 1 to 500 rows');
    await refused('/browser/import', { rows: Array(501).fill({}) }, 211, 'rows takes at most 500 rows');
    await refused('/browser/import', { rows: [{}], dryRun: 1 }, 211, 'dryRun must be true or false');
    await refused('/proxy/import', { text: ['a'] }, 211, 'text must be the pasted proxies');
    await refused('/proxy/import', { text: 'x'.repeat(550_001) }, 211, 'text is too long');
    await refused('/proxy/import', { text: '   ' }, 211, 'text holds no proxy line');
    // A bad row is answered in place: the call succeeds, nothing of that row is written.
    const before = await snapshot(cloud);
    const answer = await cloud.post('/browser/import', { rows: [{ name: 'x', proxy: 'file:///etc/passwd' }], dryRun: false }, owner.token);
    expect(answer.data.rows).toEqual([{ index: 0, ok: false, error: 'proxy type file is not one of http, https, socks5' }]);
    expect(await snapshot(cloud)).toBe(before);
  });

  it('names that would read as another: control, invisible and bidirectional-text characters, on every way a name is given', async () => {
    // "invoice" + RIGHT-TO-LEFT OVERRIDE + "fdp.exe" is drawn as "invoiceexe.pdf".
    const spoof = 'invoice\u202efdp.exe';
    const found = 'must not contain control, invisible or bidirectional-text characters (found U+202E): they make a name read as another';
    await refused('/browser/update', { name: spoof }, 211, `name ${found}`);
    await refused('/browser/update', { id: w.id, name: spoof }, 211, `name ${found}`);
    await refused(
      '/browser/update',
      { name: 'two\nlines' },
      211,
      'name must not contain control, invisible or bidirectional-text characters (found U+000A)',
    );
    await refused('/browser/update', { name: 'isolate \u2067x\u2069' }, 211, '(found U+2067)');
    // "shop1" with a zero-width space inside looks like "shop1".
    await refused('/browser/update', { id: w.id, name: 'shop\u200b1' }, 211, '(found U+200B)');
    await refused('/tag/add', { name: 'v\ufeffip' }, 211, '(found U+FEFF)');
    await refused('/group/add', { name: spoof }, 211, `name ${found}`);
    await refused('/group/update', { id: group, name: spoof }, 211, `name ${found}`);
    await refused('/tag/add', { name: spoof }, 211, `name ${found}`);
    await refused('/tag/update', { id: tag, name: spoof }, 211, `name ${found}`);
    await refused('/proxy/add', { name: spoof, proxyType: 'http', host: '127.0.0.1', port: 1 }, 211, `name ${found}`);
    await refused(
      '/proxy/add',
      { name: 'Plain', proxyType: 'http', host: '127.0.0.1', port: 1, proxyUserName: spoof },
      211,
      `proxyUserName ${found}`,
    );
    await refused('/task/create', { name: spoof, steps: [{ type: 'wait', ms: 1 }] }, 211, `name ${found}`);
    await refused('/auth/token/create', { name: spoof }, 211, `name ${found}`);
    await refused('/auth/invite/accept', { token: 'A'.repeat(43), password: 'member-password-1', name: spoof }, 211, `name ${found}`);
    await refused('/team/member/add', { email: 'bidi@example.com', password: 'member-password-1', name: spoof }, 211, `name ${found}`);
    await refused('/auth/register', { email: 'bidi@example.com', password: 'owner-password-1', teamName: spoof }, 211, `teamName ${found}`);
    // An email is drawn as a person's name (members, audit log, invitations): "evil" + U+202E + "moc.elgoog@x.io" reads as "eviloi.x@google.com".
    const email = 'evil\u202emoc.elgoog@x.io';
    await refused('/auth/register', { email, password: 'owner-password-1' }, 211, `email ${found}`);
    await refused('/team/member/add', { email, password: 'member-password-1' }, 211, `email ${found}`);
    await refused('/team/invite/create', { email }, 211, `email ${found}`);
    await refused('/team/member/add', { email: 'zero\u200bwidth@example.com', password: 'member-password-1' }, 211, '(found U+200B)');
    // An imported row with such a name is answered in place, and nothing of it is written.
    const before = await snapshot(cloud);
    const answer = await cloud.post('/browser/import', { rows: [{ name: spoof }], dryRun: false }, owner.token);
    expect(answer.data.rows).toEqual([{ index: 0, ok: false, error: `name ${found}` }]);
    expect(await snapshot(cloud)).toBe(before);
    // Letters of any script, direction marks and joined emoji are names as any other.
    for (const name of ['متجر ١', 'חנות\u200f 2', 'магазин', '店铺 ①', 'team \u{1f469}\u200d\u{1f4bb}', 'می\u200cخواهم']) {
      const made = await cloud.post('/group/add', { name }, owner.token);
      expect(made).toMatchObject({ code: 0 });
    }
  });

  it('unknown paths and methods', async () => {
    await refused('/browser/nothing', {}, 404, 'API not found: POST /browser/nothing');
    const get = await cloud.raw().get('/browser/list').set('Authorization', `Bearer ${owner.token}`);
    expect(get.body).toEqual({ code: 404, msg: 'API not found: GET /browser/list', data: {} });
  });
});

describe('security headers on every answer', () => {
  const consoleDir = mkdtempSync(join(tmpdir(), 'cos-console-'));
  let cloud: CloudHarness;
  beforeAll(async () => {
    writeFileSync(
      join(consoleDir, 'index.html'),
      '<!doctype html><title>console</title><meta property="csp-nonce" nonce="cos-csp-nonce-placeholder">',
    );
    cloud = await startCloud({ env: { CONSOLE_DIR: consoleDir } });
  });
  afterAll(async () => {
    await cloud.close();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  it('sends the policy with frame-ancestors none and X-Frame-Options DENY, on 211s, 404s, the console and the docs', async () => {
    const answers = {
      console: await cloud.raw().get('/'),
      'console as /index.html': await cloud.raw().get('/index.html'),
      'console through /docs/..%2f': await cloud.raw().get('/docs/..%2findex.html'),
      'console through /docs/%2e%2e/': await cloud.raw().get('/docs/%2e%2e/index.html'),
      docs: await cloud.raw().get('/docs/'),
      'malformed JSON (211)': await cloud.raw().post('/browser/list').set('Content-Type', 'application/json').send('{"a":'),
      'body not an object (211)': await cloud.raw().post('/browser/list').set('Content-Type', 'application/json').send('[1]'),
      'unknown API (404)': await cloud.raw().post('/browser/nothing').send({}),
      'no token (401)': await cloud.raw().post('/browser/list').send({}),
    };
    for (const [name, res] of Object.entries(answers)) {
      expect({ name, csp: res.headers['content-security-policy'], frame: res.headers['x-frame-options'] }).toEqual({
        name,
        csp: expect.stringContaining("frame-ancestors 'none'"),
        frame: 'DENY',
      });
    }
    // Only the OpenAPI page itself gets inline styles; the console, however reached, gets its own policy.
    expect(answers.docs.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    // The page's styles: its own files and those with this answer's nonce, however the page is reached.
    const nonces = new Set<string>();
    for (const name of ['console', 'console as /index.html', 'console through /docs/..%2f', 'console through /docs/%2e%2e/'] as const) {
      const policy: string = answers[name].headers['content-security-policy'];
      const nonce = /style-src 'self' 'nonce-([A-Za-z0-9+/]{24})';/.exec(policy)?.[1];
      expect({ name, policy, page: answers[name].text }).toEqual({
        name,
        policy: expect.stringContaining("script-src 'self';"),
        page: `<!doctype html><title>console</title><meta property="csp-nonce" nonce="${nonce}">`,
      });
      nonces.add(nonce!);
    }
    expect(nonces.size).toBe(4);
    const head = await cloud.raw().head('/');
    expect([head.status, head.headers['content-security-policy']]).toEqual([200, expect.stringContaining("'nonce-")]);
  });
});
