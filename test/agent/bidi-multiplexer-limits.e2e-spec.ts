import { AgentHarness, startAgent } from '../support/agent-app';
import { BidiClient, bidiSession } from '../support/bidi-client';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createWindow, registerOwner } from '../support/factories';
import { attach } from '../support/firefox';
import { startTestSite, TestSite } from '../support/test-site';

// Firefox itself takes its time to make, serialize and send a 120 MB answer or a 110 MB log entry.
jest.setTimeout(600_000);

const MiB = 1024 * 1024;

/** A client with a session of its own and the window's first tab. */
async function sessionOn(endpoint: string): Promise<{ client: BidiClient; context: string }> {
  const client = await bidiSession(endpoint, 300_000);
  const { contexts } = await client.send('browsingContext.getTree', { maxDepth: 0 });
  return { client, context: contexts[0].context as string };
}

const evaluate = (client: BidiClient, context: string, expression: string) =>
  client.send('script.evaluate', { expression, target: { context }, awaitPromise: true });

describe("one client's input never ends another's automation", () => {
  let cloud: CloudHarness;
  let agent: AgentHarness;
  let owner: Account;
  let site: TestSite;
  let uuid: string;
  let endpoint: string;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    owner = await registerOwner(cloud);
    site = await startTestSite();
    agent = await startAgent({ cloudUrl: cloud.url });
    await agent.login(owner.email, owner.password);
    uuid = (await createWindow(cloud, owner)).uuid;
    endpoint = (await agent.post('/browser/open', { uuid })).data.wsEndpoint;
  });
  afterAll(async () => {
    await agent.close();
    await site.close();
    await cloud.close();
  });

  it('a 120 MB answer and a 110 MB log entry: the caller gets a BiDi error, every client keeps its automation', async () => {
    const [one, two] = await Promise.all([sessionOn(endpoint), sessionOn(endpoint)]);
    await two.client.send('session.subscribe', { events: ['log.entryAdded'] });
    await expect(evaluate(one.client, one.context, `'x'.repeat(${120 * MiB})`)).rejects.toMatchObject({
      error: 'unknown error',
      message: expect.stringMatching(/^The answer is \d+ bytes, more than the 33554432/),
    });
    expect((await evaluate(one.client, one.context, `console.log('y'.repeat(${110 * MiB})); 'logged'`)).result.value).toBe('logged');
    await evaluate(one.client, one.context, `console.log('small'); 1`);
    expect((await two.client.event('log.entryAdded', (p) => p.text === 'small')).text).toBe('small');
    for (const { client, context } of [one, two]) expect((await evaluate(client, context, '6 * 7')).result.value).toBe(42);
    // A client that comes later, and a puppeteer script, drive the window too.
    const later = await sessionOn(endpoint);
    expect((await evaluate(later.client, later.context, '1 + 1')).result.value).toBe(2);
    const browser = await attach(endpoint);
    expect((await browser.pages()).length).toBeGreaterThanOrEqual(1);
    await browser.disconnect();
    for (const { client } of [one, two, later]) client.close();
  });

  it('three 99 MB frames are refused with a BiDi error each, and each client goes on', async () => {
    const clients = await Promise.all([sessionOn(endpoint), sessionOn(endpoint), sessionOn(endpoint)]);
    const huge = `{"id":7,"method":"script.evaluate","params":{"expression":"'${'a'.repeat(99 * MiB)}'","awaitPromise":false}}`;
    for (const { client } of clients) {
      expect(await client.raw(huge, 7)).toMatchObject({
        type: 'error',
        id: 7,
        error: 'invalid argument',
        message: expect.stringMatching(/^The message is \d+ bytes, more than the 33554432/),
      });
    }
    for (const { client, context } of clients) expect((await evaluate(client, context, '6 * 7')).result.value).toBe(42);
    for (const { client } of clients) client.close();
  });

  it('answers frames that are no command (null, an array, a bad id) with an error, and the client goes on', async () => {
    const { client, context } = await sessionOn(endpoint);
    const frames: [string, number | null][] = [
      ['null', null],
      ['[]', null],
      ['"text"', null],
      ['{"id":-1,"method":"session.status","params":{}}', null],
      ['{"id":3,"method":"x","params":null}', 3],
      ['{"id":4,"params":{}}', 4],
    ];
    for (const [frame, id] of frames) {
      expect([frame, await client.raw(frame, id)]).toEqual([
        frame,
        expect.objectContaining({ type: 'error', id, error: 'invalid argument' }),
      ]);
    }
    expect(await client.raw('not json', null)).toMatchObject({ type: 'error', message: 'Not JSON' });
    expect((await evaluate(client, context, '6 * 7')).result.value).toBe(42);
    client.close();
  });

  it("a script's browser.close ends its own session: the window, its Firefox and the other clients go on", async () => {
    const staying = await sessionOn(endpoint);
    const script = await attach(endpoint);
    await script.close();
    const leaving = await sessionOn(endpoint);
    expect(await leaving.client.send('browser.close', {})).toEqual({});
    await leaving.client.closed;
    expect((await evaluate(staying.client, staying.context, '6 * 7')).result.value).toBe(42);
    const running = (await agent.post('/browser/pids')).data.list as { uuid: string; pid: number }[];
    const { pid } = running.find((w) => w.uuid === uuid)!;
    expect(() => process.kill(pid, 0)).not.toThrow();
    staying.client.close();
  });

  it("refuses what would change the window for every client or touch another client's requests and user contexts", async () => {
    const [mine, other] = await Promise.all([sessionOn(endpoint), sessionOn(endpoint)]);
    const userAgent = (await evaluate(mine.client, mine.context, 'navigator.userAgent')).result.value;
    for (const [method, params] of [
      ['emulation.setUserAgentOverride', { userAgent: 'EVIL/1.0' }],
      ['emulation.setTimezoneOverride', { timezone: 'Asia/Tokyo', contexts: [other.context] }],
      ['browser.setDownloadBehavior', { downloadBehavior: { type: 'denied' } }],
      ['network.setExtraHeaders', { headers: [{ name: 'x-evil', value: { type: 'string', value: '1' } }] }],
      ['network.setCacheBehavior', { cacheBehavior: 'bypass' }],
      ['webExtension.install', { extensionData: { type: 'path', path: '/tmp' } }],
      ['webExtension.uninstall', { extension: 'fingerprint@cos.local' }],
    ] as const) {
      await expect(other.client.send(method, params)).rejects.toMatchObject({ error: 'unsupported operation' });
    }
    expect((await evaluate(mine.client, mine.context, 'navigator.userAgent')).result.value).toBe(userAgent);

    // A user context is its creator's to remove; the one who leaves takes theirs along.
    const { userContext } = await mine.client.send('browser.createUserContext', {});
    await expect(other.client.send('browser.removeUserContext', { userContext })).rejects.toMatchObject({ error: 'no such user context' });
    await expect(
      other.client.send('permissions.setPermission', {
        descriptor: { name: 'geolocation' },
        state: 'granted',
        origin: site.url,
        userContext,
      }),
    ).rejects.toMatchObject({ error: 'no such user context' });
    expect(await mine.client.send('browser.removeUserContext', { userContext })).toEqual({});

    // A request held by my intercept is mine to answer: another client cannot settle or forge it.
    await Promise.all([mine, other].map(({ client }) => client.send('session.subscribe', { events: ['network.beforeRequestSent'] })));
    const { intercept } = await mine.client.send('network.addIntercept', {
      phases: ['beforeRequestSent'],
      urlPatterns: [{ type: 'pattern', protocol: 'http', hostname: '127.0.0.1', port: new URL(site.url).port, pathname: '/echo' }],
    });
    const navigation = mine.client.send('browsingContext.navigate', { context: mine.context, url: `${site.url}/echo`, wait: 'complete' });
    const blocked = await other.client.event('network.beforeRequestSent', (p) => p.isBlocked === true);
    const request = blocked.request.request as string;
    await expect(
      other.client.send('network.provideResponse', {
        request,
        statusCode: 200,
        body: { type: 'string', value: '<h1>hijacked</h1>' },
      }),
    ).rejects.toMatchObject({ error: 'no such request' });
    await expect(other.client.send('network.failRequest', { request })).rejects.toMatchObject({ error: 'no such request' });
    expect(await mine.client.send('network.continueRequest', { request })).toEqual({});
    expect((await navigation).url).toBe(`${site.url}/echo`);
    expect((await evaluate(mine.client, mine.context, 'document.body.innerText.includes("hijacked")')).result.value).toBe(false);
    await mine.client.send('network.removeIntercept', { intercept });
    for (const { client } of [mine, other]) client.close();
  });

  it("a leaving client's intercepts and preload scripts go with it, the requests they held are let go, and no one removes another's", async () => {
    const leaving = await sessionOn(endpoint);
    const staying = await sessionOn(endpoint);
    await leaving.client.send('session.subscribe', { events: ['network.beforeRequestSent'] });
    const { intercept } = await leaving.client.send('network.addIntercept', {
      phases: ['beforeRequestSent'],
      urlPatterns: [{ type: 'pattern', protocol: 'http', hostname: '127.0.0.1', port: new URL(site.url).port, pathname: '/echo' }],
    });
    await leaving.client.send('script.addPreloadScript', { functionDeclaration: '() => { window.fromLeavingClient = true; }' });
    await expect(staying.client.send('network.removeIntercept', { intercept })).rejects.toMatchObject({ error: 'no such intercept' });

    // A navigation the intercept holds, and the client leaves without letting it go.
    // Its answer never comes: the client is gone before the request it waits on is let go.
    const held = leaving.client.send('browsingContext.navigate', { context: leaving.context, url: `${site.url}/echo`, wait: 'none' });
    held.catch(() => undefined);
    await leaving.client.event('network.beforeRequestSent', (p) => p.isBlocked === true);
    leaving.client.close();
    await leaving.client.closed;

    const loaded = await staying.client.send('browsingContext.navigate', {
      context: staying.context,
      url: `${site.url}/echo`,
      wait: 'complete',
    });
    expect(loaded.url).toBe(`${site.url}/echo`);
    expect((await evaluate(staying.client, staying.context, 'window.fromLeavingClient === undefined')).result.value).toBe(true);
    staying.client.close();
  });

  it('an eval that loops forever is stopped: its tab is replaced and the caller told; the window goes on', async () => {
    await agent.post('/browser/navigate', { uuid, url: `${site.url}/welcome` });
    const looping = await agent.post('/browser/eval', { uuid, code: 'while (true) {}', timeoutMs: 1000 });
    expect(looping).toMatchObject({
      code: 422,
      msg: expect.stringContaining('the tab (' + `${site.url}/welcome) was closed to stop it`),
      data: { timedOut: true, tabReplaced: true, url: `${site.url}/welcome` },
    });
    expect(await agent.post('/browser/eval', { uuid, code: '6 * 7' })).toMatchObject({ code: 0, data: { value: 42 } });
    // A script that merely waits keeps its tab.
    const waiting = await agent.post('/browser/eval', { uuid, code: 'new Promise(() => {})', timeoutMs: 300 });
    expect(waiting).toEqual({ code: 422, msg: 'The script did not finish within 300 ms', data: { timedOut: true } });
    expect(await agent.post('/browser/eval', { uuid, code: 'Promise.reject(null)' })).toEqual({
      code: 422,
      msg: 'The script threw: null',
      data: {},
    });
    expect(await agent.post('/browser/eval', { uuid, code: 'Promise.reject("no")' })).toMatchObject({
      code: 422,
      msg: 'The script threw: "no"',
    });
  });
});
