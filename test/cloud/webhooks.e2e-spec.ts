import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createWindow, registerOwner, snapshot } from '../support/factories';
import { answerEvery, line, LineClient } from '../support/line-client';
import { waitFor } from '../support/wait-for';

const ENV = {
  DEVICE_HEARTBEAT_SECONDS: '1',
  DEVICE_OFFLINE_SECONDS: '600',
  RUN_SWEEP_MS: '200',
  WEBHOOK_RETRY_DELAY_SECONDS: '1',
  WEBHOOK_RETRIES: '2',
  WEBHOOK_TIMEOUT_MS: '4000',
};

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** An endpoint on loopback that answers as `answer` says and keeps what it was sent. */
async function endpoint(answer: (n: number, res: ServerResponse) => void): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      answer(got.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, server };
}

/**
 * Webhooks on run completion, delivered by the job engine from the outbox: signed (Standard
 * Webhooks, rotation), retried after a 500, never to a private address unless the team allows it
 * (literal, by name, or by a redirect), a 410 disables the endpoint.
 */
describe('webhooks: signed deliveries on run completion', () => {
  let cloud: CloudHarness;
  let owner: Account;
  let desk: LineClient;
  const servers: Server[] = [];

  beforeAll(async () => {
    cloud = await startCloud({ listen: true, env: ENV });
    owner = await registerOwner(cloud);
    desk = await line(cloud.url, owner.token);
    await desk.hello();
    // The device does each run it is sent.
    answerEvery(desk);
  });
  afterAll(async () => {
    desk.ws.terminate();
    for (const server of servers) server.close();
    await cloud.close();
  });

  const post = (path: string, body: object) => cloud.post(path, body, owner.token);
  async function finishRun(): Promise<string> {
    const task = (await post('/task/create', { name: `t${Math.random()}`, steps: [{ type: 'wait', ms: 1 }] })).data;
    const w = await createWindow(cloud, owner);
    const run = (await post('/run/start', { taskId: task.id, windowIds: [w.id], devices: [owner.deviceId] })).data;
    await waitFor(async () => (await post('/run/detail', { id: run.id })).data.status === 'succeeded');
    return run.id as string;
  }
  const deliveries = async (id: number) => (await post('/webhook/deliveries', { id })).data.list;
  async function hook(url: string) {
    const made = await post('/webhook/create', { url });
    expect(made.code).toBe(0);
    return made.data as { id: number; secret: string };
  }

  // First, while nothing else moves (a device going quiet would change the snapshot).
  it('bad addresses and settings are refused by name and change nothing', async () => {
    const before = await snapshot(cloud);
    for (const [body, msg] of [
      [{ url: 'ftp://x.example/' }, 'url must be an http(s) URL'],
      [{ url: 'not a url' }, 'url must be an absolute http(s) URL'],
      [{ url: 'https://user:pw@x.example/' }, 'url must not hold a user name or password'],
      [{ url: 'https://x.example/', events: ['run.started'] }, 'events must be of run.finished'],
      [{ url: 'x'.repeat(2049) }, 'url must be at most 2048 characters'],
    ] as const) {
      expect(await post('/webhook/create', body)).toEqual({ code: 211, msg: expect.stringContaining(msg), data: {} });
    }
    expect(await post('/webhook/rotate', { id: 2147483647 })).toMatchObject({ code: 404 });
    expect(await post('/webhook/settings', { allowPrivateAddresses: 'yes' })).toMatchObject({ code: 211 });
    expect(await snapshot(cloud)).toBe(before);
  });

  it('refuses private addresses by default, literal or by name, and sends nothing there', async () => {
    const target = await endpoint((_, res) => res.end('ok'));
    servers.push(target.server);
    const literal = await hook(target.url);
    const named = await hook(target.url.replace('127.0.0.1', 'localhost'));
    await finishRun();
    await waitFor(
      async () => (await deliveries(literal.id))[0]?.status === 'failed' && (await deliveries(named.id))[0]?.status === 'failed',
      30_000,
    );
    expect((await deliveries(literal.id))[0]).toMatchObject({
      lastStatus: null,
      lastError: expect.stringContaining('127.0.0.1 is a loopback address'),
    });
    expect((await deliveries(named.id))[0].lastError).toMatch(/refused: localhost resolves where it may not \(.*loopback address/);
    expect(target.got).toHaveLength(0);
    await post('/webhook/delete', { id: literal.id });
    await post('/webhook/delete', { id: named.id });
  });

  it('delivers signed, retries after a 500, signs with the old and new secret after a rotation', async () => {
    expect((await post('/webhook/settings', { allowPrivateAddresses: true })).code).toBe(0);
    const target = await endpoint((n, res) => {
      res.statusCode = n === 1 ? 500 : 204;
      res.end();
    });
    servers.push(target.server);
    const made = await hook(target.url);
    expect(made.secret).toMatch(/^whsec_/);
    expect(JSON.stringify((await post('/webhook/list', {})).data)).not.toContain(made.secret);
    const runId = await finishRun();
    await waitFor(async () => (await deliveries(made.id))[0]?.status === 'delivered', 30_000);
    const [delivery] = await deliveries(made.id);
    expect(delivery).toMatchObject({ attempts: 2, lastStatus: 204, event: 'run.finished' });
    expect(target.got).toHaveLength(2);
    const last = target.got[1];
    const signed = new Webhook(made.secret).verify(last.body, {
      'webhook-id': String(last.headers['webhook-id']),
      'webhook-timestamp': String(last.headers['webhook-timestamp']),
      'webhook-signature': String(last.headers['webhook-signature']),
    }) as { type: string; data: { runId: string; status: string } };
    expect(signed).toMatchObject({ type: 'run.finished', data: { runId, status: 'succeeded' } });
    expect(last.headers['webhook-id']).toBe(delivery.id);

    const rotated = (await post('/webhook/rotate', { id: made.id, keepSeconds: 3600 })).data;
    await finishRun();
    await waitFor(() => Promise.resolve(target.got.length === 3), 30_000);
    const after = target.got[2];
    const headers = {
      'webhook-id': String(after.headers['webhook-id']),
      'webhook-timestamp': String(after.headers['webhook-timestamp']),
      'webhook-signature': String(after.headers['webhook-signature']),
    };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(rotated.secret).verify(after.body, headers)).not.toThrow();
    expect(() => new Webhook(made.secret).verify(after.body, headers)).not.toThrow();
    await post('/webhook/delete', { id: made.id });
  });

  it('even with private addresses allowed, never a cloud metadata address or an IPv4-compatible IPv6 one', async () => {
    const metadata = await hook('http://169.254.169.254/latest/meta-data/');
    const compatible = await hook('http://[::127.0.0.1]/');
    await finishRun();
    await waitFor(
      async () => (await deliveries(metadata.id))[0]?.status === 'failed' && (await deliveries(compatible.id))[0]?.status === 'failed',
      30_000,
    );
    expect((await deliveries(metadata.id))[0].lastError).toContain('169.254.169.254 is a cloud metadata address');
    expect((await deliveries(compatible.id))[0].lastError).toContain('is an IPv4-compatible IPv6 address');
    await post('/webhook/delete', { id: metadata.id });
    await post('/webhook/delete', { id: compatible.id });
  });

  it("an endpoint that never answers holds one delivery worker, not another endpoint's delivery", async () => {
    const silent = await endpoint(() => undefined);
    const quick = await endpoint((_, res) => res.end('ok'));
    servers.push(silent.server, quick.server);
    const slow = [await hook(silent.url), await hook(silent.url), await hook(silent.url)];
    // A first run's deliveries are all to the silent endpoints, queued before the next run's.
    await finishRun();
    const fast = await hook(quick.url);
    await finishRun();
    await waitFor(async () => (await deliveries(fast.id))[0]?.status === 'delivered', 30_000);
    // Delivered while none of the silent endpoints' first tries has ended (each waits WEBHOOK_TIMEOUT_MS).
    for (const h of slow) for (const d of await deliveries(h.id)) expect(d).toMatchObject({ status: 'pending', attempts: 0 });
    for (const h of [...slow, fast]) await post('/webhook/delete', { id: h.id });
  });

  it('does not follow a redirect (to a private address or anywhere), and a 410 disables the endpoint', async () => {
    const inside = await endpoint((_, res) => res.end('secret inside'));
    const redirecting = await endpoint((_, res) => {
      res.statusCode = 302;
      res.setHeader('Location', inside.url);
      res.end();
    });
    const gone = await endpoint((_, res) => {
      res.statusCode = 410;
      res.end('gone');
    });
    servers.push(inside.server, redirecting.server, gone.server);
    const redirect = await hook(redirecting.url);
    const ending = await hook(gone.url);
    await finishRun();
    await waitFor(async () => (await deliveries(redirect.id))[0]?.status === 'failed', 30_000);
    expect((await deliveries(redirect.id))[0]).toMatchObject({
      attempts: 3,
      lastStatus: 302,
      lastError: expect.stringContaining('redirect not followed'),
    });
    expect(inside.got).toHaveLength(0);
    await waitFor(async () => (await deliveries(ending.id))[0]?.status === 'gone', 30_000);
    const listed = (await post('/webhook/list', {})).data.list.find((h: { id: number }) => h.id === ending.id);
    expect(listed).toMatchObject({ enabled: false, disabledReason: 'the endpoint answered 410 Gone' });
    expect(gone.got).toHaveLength(1);
    await post('/webhook/delete', { id: redirect.id });
  });

  it('gives up after the last try when the endpoint never answers in time', async () => {
    const silent = await endpoint(() => undefined);
    servers.push(silent.server);
    const made = await hook(silent.url);
    await finishRun();
    await waitFor(async () => (await deliveries(made.id))[0]?.status === 'failed', 60_000);
    expect((await deliveries(made.id))[0]).toMatchObject({ attempts: 3, lastError: expect.stringContaining('no answer within 4000 ms') });
    await post('/webhook/delete', { id: made.id });
  });
});
