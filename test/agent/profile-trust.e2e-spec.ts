import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import type { AgentHarness } from '../support/agent-app';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { closeDevices, startDevices } from '../support/devices';
import { Account, createWindow, registerOwner } from '../support/factories';
import { firefoxPids } from '../support/firefox';

jest.setTimeout(300_000);

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const ALL_SYNCED = {
  syncCookies: true,
  syncLocalStorage: true,
  syncIndexedDB: true,
  syncHistory: true,
  syncBookmarks: true,
  syncPasswords: true,
  syncExtensions: true,
};

async function unsignedXpi(): Promise<Buffer> {
  const zip = new ZipFile();
  zip.addBuffer(
    Buffer.from(
      JSON.stringify({ manifest_version: 2, name: 'x', version: '1', permissions: ['proxy'], background: { scripts: ['b.js'] } }),
    ),
    'manifest.json',
  );
  zip.addBuffer(Buffer.from('browser.proxy.settings.set({ value: { proxyType: "none" } });'), 'b.js');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const body = (stream: IncomingMessage) =>
  new Promise<Buffer>((ok, fail) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => ok(Buffer.concat(chunks)));
    stream.on('error', fail);
  });

/**
 * A cloud that lies: everything passes through to the real cloud, except that the manifest gains
 * `extra` entries and the blobs they name are served from here.
 */
function lyingCloud(
  target: string,
  extra: () => { path: string; size: number; sha256: string }[],
  blobs: Map<string, Buffer>,
  launch: () => ((data: Record<string, unknown>) => unknown) | null = () => null,
) {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', target);
      const wanted = url.searchParams.get('sha256');
      if (req.method === 'GET' && url.pathname === '/browser/profile/blob' && wanted && blobs.has(wanted)) {
        const data = blobs.get(wanted)!;
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(data.length) });
        res.end(data);
        return;
      }
      const sent = await body(req);
      const upstream = await new Promise<IncomingMessage>((ok, fail) => {
        const forward = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, ok);
        forward.on('error', fail);
        forward.end(sent);
      });
      let answer = await body(upstream);
      if (url.pathname === '/browser/profile/manifest') {
        const envelope = JSON.parse(answer.toString()) as { code: number; data: { files: unknown[] } };
        if (envelope.code === 0) envelope.data.files.push(...extra());
        answer = Buffer.from(JSON.stringify(envelope));
      }
      const rewrite = launch();
      if (url.pathname === '/browser/launch' && rewrite) {
        const envelope = JSON.parse(answer.toString()) as { code: number; data: Record<string, unknown> };
        if (envelope.code === 0) envelope.data = rewrite(envelope.data) as Record<string, unknown>;
        answer = Buffer.from(JSON.stringify(envelope));
      }
      const headers = { ...upstream.headers, 'content-length': String(answer.length) };
      delete headers['transfer-encoding'];
      res.writeHead(upstream.statusCode ?? 502, headers);
      res.end(answer);
    })().catch((error: Error) => res.destroy(error));
  });
  return new Promise<{ url: string; close: () => Promise<void> }>((ok) =>
    server.listen(0, '127.0.0.1', () =>
      ok({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

describe('a roaming profile carries data, never code: what a teammate or the cloud puts in a manifest', () => {
  let cloud: CloudHarness;
  let liar: { url: string; close: () => Promise<void> };
  let deviceA: AgentHarness;
  let deviceB: AgentHarness;
  let owner: Account;
  let extra: { path: string; size: number; sha256: string }[] = [];
  let launch: ((data: Record<string, unknown>) => unknown) | null = null;
  const blobs = new Map<string, Buffer>();
  const profileOf = (agent: AgentHarness, uuid: string) => join(agent.dataDir, 'browser-cache', 'firefox-profiles', uuid);

  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    liar = await lyingCloud(
      cloud.url,
      () => extra,
      blobs,
      () => launch,
    );
    owner = await registerOwner(cloud);
    // Device B reaches the cloud through the liar.
    [deviceA, deviceB] = await startDevices(owner, [cloud.url, liar.url]);
  });
  afterAll(async () => {
    await closeDevices([deviceA, deviceB]);
    await liar.close();
    await cloud.close();
  });

  it("a launch answer of the wrong shape is refused naming the field, before any Firefox starts, and the cloud's lease is let go", async () => {
    const w = await createWindow(cloud, owner);
    const cases: [string, (data: Record<string, unknown>) => unknown][] = [
      ['leaseSeconds', (d) => ({ ...d, leaseSeconds: 1e10 })],
      ['leaseSeconds', (d) => ({ ...d, leaseSeconds: 'abc' })],
      ['window', () => null],
      ['window (another window)', (d) => ({ ...d, window: { ...(d.window as object), uuid: '../../x' } })],
      ['cookies', (d) => ({ ...d, cookies: null })],
      ['cookies', (d) => ({ ...d, cookies: { length: 1e9 } })],
      ['proxy.proxyMethod', (d) => ({ ...d, proxy: null })],
      ['sync', (d) => ({ ...d, sync: undefined })],
      ['cookiesEpoch', (d) => ({ ...d, cookiesEpoch: { a: 1 } })],
      ['profile', (d) => ({ ...d, profile: { zipName: 'x.zip', zipSize: 1, sha256: '../local-token' } })],
    ];
    try {
      for (const [field, rewrite] of cases) {
        launch = rewrite;
        const opened = await deviceB.post('/browser/open', { uuid: w.uuid });
        expect([field, opened.code, opened.msg]).toEqual([field, 503, expect.stringContaining(`has a bad ${field}`)]);
        expect(firefoxPids(deviceB.dataDir)).toEqual([]);
        expect((await cloud.post('/browser/detail', { uuid: w.uuid }, owner.token)).data.openStatus).toBe('closed');
      }
    } finally {
      launch = null;
    }
    // The same window opens once the cloud answers as it should.
    expect((await deviceB.post('/browser/open', { uuid: w.uuid })).code).toBe(0);
    expect((await deviceB.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
  });

  it('an open writes none of the code, security files or paths outside the profile a manifest names, and leaves the blob cache', async () => {
    const w = await createWindow(cloud, owner, { config: ALL_SYNCED });
    expect((await deviceA.post('/browser/open', { uuid: w.uuid })).code).toBe(0);
    expect((await deviceA.post('/browser/close', { uuid: w.uuid })).data.close.profileSync).toMatchObject({ version: 1 });

    const marker = `cos-crafted-${randomBytes(4).toString('hex')}`;
    const crafted: Record<string, Buffer> = {
      'prefs.js': Buffer.from(`user_pref("xpinstall.signatures.required", false);\nuser_pref("${marker}", true);\n`),
      'user.js': Buffer.from(`user_pref("network.proxy.type", 0);\nuser_pref("${marker}", true);\n`),
      'pkcs11.txt': Buffer.from(`library=${marker}.so\nname=${marker}\n`),
      [`${marker}.so`]: randomBytes(512),
      'extensions/evil@example.com.xpi': await unsignedXpi(),
      'extensions.json': Buffer.from(`{"schemaVersion":36,"addons":[{"id":"${marker}@example.com"}]}`),
      'cert9.db': Buffer.from(marker),
      'policies.json': Buffer.from(`{"policies":{"${marker}":true}}`),
      'handlers.json': Buffer.from(`{"${marker}":1}`),
      '../../escaped.txt': Buffer.from(marker),
      'C:/Windows/escaped.txt': Buffer.from(marker),
    };
    extra = Object.entries(crafted).map(([path, data]) => ({ path, size: data.length, sha256: sha(data) }));
    for (const data of Object.values(crafted)) blobs.set(sha(data), data);
    // A "hash" that is a path: the agent's own local token beside its blob cache.
    const tokenFile = join(deviceB.dataDir, 'local-token');
    extra.push({ path: 'storage/default/https+++leak.test/ls/data.sqlite', size: statSync(tokenFile).size, sha256: '../local-token' });
    extra.push({ path: 'storage/default/https+++leak.test/ls/usage', size: 10, sha256: '/etc/passwd' });

    const opened = await deviceB.post('/browser/open', { uuid: w.uuid });
    expect(opened.code).toBe(0);
    expect(opened.data.profileSync).toMatchObject({ version: 1, pulled: true, leftOut: extra.length });
    const profile = profileOf(deviceB, w.uuid);
    // Firefox writes its own prefs.js, pkcs11.txt, cert9.db and extensions.json, the agent its user.js: none holds what the manifest sent.
    const holds = (file: string) => existsSync(join(profile, file)) && readFileSync(join(profile, file)).includes(marker);
    for (const file of ['prefs.js', 'user.js', 'pkcs11.txt', 'extensions.json', 'cert9.db', 'policies.json', 'handlers.json'])
      expect([file, holds(file)]).toEqual([file, false]);
    for (const file of [`${marker}.so`, 'extensions/evil@example.com.xpi', 'policies.json', 'storage/default/https+++leak.test'])
      expect([file, existsSync(join(profile, file))]).toEqual([file, false]);
    expect(existsSync(join(profile, '..', '..', 'escaped.txt'))).toBe(false);
    expect(existsSync(join(profile, 'C:'))).toBe(false);

    const closed = await deviceB.post('/browser/close', { uuid: w.uuid });
    expect(closed.code).toBe(0);
    // Nothing of it travels on either: the next version (if any) lists none of it.
    const manifest = (await cloud.post('/browser/profile/manifest', { uuid: w.uuid }, owner.token)).data;
    const paths = manifest.files.map((f: { path: string }) => f.path);
    for (const path of Object.keys(crafted)) expect(paths).not.toContain(path);
    expect(paths).not.toContain('storage/default/https+++leak.test/ls/data.sqlite');
  });
});

describe('a close that changed nothing makes no version', () => {
  let cloud: CloudHarness;
  let device: AgentHarness;
  let other: AgentHarness;
  let owner: Account;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    owner = await registerOwner(cloud);
    [device, other] = await startDevices(owner, [cloud.url, cloud.url]);
  });
  afterAll(async () => {
    await closeDevices([device, other]);
    await cloud.close();
  });

  const manifestOf = async (uuid: string, version: number) =>
    (await cloud.post('/browser/profile/manifest', { uuid, version }, owner.token)).data.files as { path: string; sha256: string }[];
  const diff = (a: { path: string; sha256: string }[], b: { path: string; sha256: string }[]) =>
    [...a, ...b].filter((f) => ![...a, ...b].some((g) => g !== f && g.path === f.path && g.sha256 === f.sha256)).map((f) => f.path);

  it('four idle open/close cycles on one device, then one on another, keep the version count; the first close uploads under 2 MB', async () => {
    const w = await createWindow(cloud, owner, { config: ALL_SYNCED });
    const sizes: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await device.post('/browser/open', { uuid: w.uuid })).code).toBe(0);
      const sync = (await device.post('/browser/close', { uuid: w.uuid })).data.close.profileSync;
      sizes.push(sync.uploadedBytes);
      const list = (await cloud.post('/browser/profile/versions', { uuid: w.uuid }, owner.token)).data.list;
      if (list.length > 1) console.log(`cycle ${i}: changed`, diff(await manifestOf(w.uuid, 1), await manifestOf(w.uuid, list[0].version)));
      expect([i, sync]).toEqual([i, expect.objectContaining({ version: 1, pending: false, unchanged: i > 0 })]);
    }
    console.log(`first close of a fresh profile uploaded ${sizes[0]} bytes`);
    expect(sizes[0]).toBeLessThan(2 * 1024 * 1024);
    expect(sizes.slice(1)).toEqual([0, 0, 0, 0]);
    // Another device fetches version 1 and closes without a change: still one version.
    expect((await other.post('/browser/open', { uuid: w.uuid })).data.profileSync).toMatchObject({ version: 1, pulled: true });
    const elsewhere = (await other.post('/browser/close', { uuid: w.uuid })).data.close.profileSync;
    const list = (await cloud.post('/browser/profile/versions', { uuid: w.uuid }, owner.token)).data.list;
    if (list.length > 1) console.log('other device changed', diff(await manifestOf(w.uuid, 1), await manifestOf(w.uuid, list[0].version)));
    expect(elsewhere).toMatchObject({ version: 1, unchanged: true, uploadedBytes: 0 });
    expect(list.map((v: { version: number }) => v.version)).toEqual([1]);
  });
  it('a version with no file the window syncs opens as an empty profile, not a failure', async () => {
    const w = await createWindow(cloud, owner, { config: ALL_SYNCED });
    const commit = { uuid: w.uuid, commitId: randomUUID(), baseVersion: null, sync: {}, files: [] };
    expect((await cloud.post('/browser/profile/commit', commit, owner.token)).data).toMatchObject({ version: 1 });
    const opened = await other.post('/browser/open', { uuid: w.uuid });
    expect([opened.code, opened.msg]).toEqual([0, expect.any(String)]);
    expect(opened.data.profileSync).toMatchObject({ version: 1, pulled: true });
    expect((await other.post('/browser/close', { uuid: w.uuid })).code).toBe(0);
  });
});
