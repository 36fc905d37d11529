import { randomBytes } from 'node:crypto';
import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { Account, createWindow, registerOwner } from '../support/factories';

/**
 * PostgreSQL goes away under a running cloud (every connection cut, new ones refused) and comes
 * back: each read path, the prepared ones included, answers 503 meanwhile, nothing ends the
 * process, and the same calls work again once the database answers.
 */
describe('a database that goes away and comes back', () => {
  let database: TestDatabase;
  let cloud: CloudHarness;
  let owner: Account;
  let port: number;
  let relay: Server | null = null;
  const sockets = new Set<Socket>();

  /** A TCP relay to the machine's PostgreSQL that the test can cut. */
  const openRelay = (onPort = 0) =>
    new Promise<number>((resolve) => {
      relay = createServer((client) => {
        const upstream = createConnection(5432, '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('error', () => undefined);
          socket.on('close', () => sockets.delete(socket));
        }
        client.pipe(upstream).pipe(client);
      });
      relay.listen(onPort, '127.0.0.1', () => resolve((relay!.address() as AddressInfo).port));
    });
  const cutRelay = async () => {
    await new Promise((resolve) => {
      relay!.close(resolve);
      for (const socket of sockets) socket.destroy();
    });
    relay = null;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    port = await openRelay();
    const url = new URL(database.url);
    url.port = String(port);
    const env = { JWT_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    cloud = await startCloud({ databaseUrl: url.toString(), env });
    owner = await registerOwner(cloud);
  });
  afterAll(async () => {
    await cloud.close();
    if (relay) await cutRelay();
    await database.drop();
  });

  it('answers 503 on every read while it is gone, and answers again once it is back', async () => {
    const window = await createWindow(cloud, owner, { name: 'survivor' });
    const calls: [string, object][] = [
      ['/browser/detail', { id: window.id }],
      ['/browser/list', { page: 0, pageSize: 10 }],
      ['/browser/list', { page: 3, pageSize: 10 }],
      ['/browser/list', { keyword: 'surv', page: 0, pageSize: 10 }],
      ['/browser/recycle/list', { page: 0, pageSize: 10 }],
      ['/browser/update', { id: window.id, remark: 'while away' }],
    ];
    for (const [path, body] of calls) expect([path, (await cloud.post(path, body, owner.token)).code]).toEqual([path, 0]);

    await cutRelay();
    for (const [path, body] of calls) {
      const answer = await cloud.post(path, body, owner.token);
      expect([path, answer.code, answer.msg]).toEqual([path, 503, expect.stringContaining('database connection failed')]);
    }

    await openRelay(port);
    for (const [path, body] of calls) {
      // The pools open new connections; the first call may still find a dead one.
      let answer = await cloud.post(path, body, owner.token);
      if (answer.code === 503) answer = await cloud.post(path, body, owner.token);
      expect([path, answer.code]).toEqual([path, 0]);
    }
    expect((await cloud.post('/browser/detail', { id: window.id }, owner.token)).data).toMatchObject({
      name: 'survivor',
      remark: 'while away',
    });
  });
});
