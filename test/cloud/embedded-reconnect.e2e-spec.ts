import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { poolConfig } from '../../apps/cloud/src/database/data-source';
import { EmbeddedPostgres } from '../../apps/cloud/src/database/embedded-postgres';
import { GATE_MAX_WAITING, GATE_WAIT_MS } from '../../apps/cloud/src/database/one-connection-gate';

jest.setTimeout(180_000);

/**
 * The embedded database's one connection is cut while the cloud is busy, over and over: the pool
 * replaces it at once, while the server may not yet have let the cut one go. Each replacement
 * gets in, no query fails, and a client that is not the cloud's is still refused.
 */
describe('the embedded database when its connection is cut under load', () => {
  let dir: string;
  let embedded: EmbeddedPostgres;
  let pool: Pool;
  type PoolClient = Client & { release(error?: Error): void };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cos-cut-'));
    embedded = await EmbeddedPostgres.start(dir);
    const { host, port, username, database } = embedded.connection;
    pool = new Pool({ host, port, user: username, database, ...poolConfig(EmbeddedPostgres.POOL) });
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool.end();
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Cuts the pool's connection under it, after `first` has started something on it, and hands
   * the dead client back, as a failed one is.
   */
  async function cut(first?: (client: PoolClient, stream: Socket) => Promise<void>): Promise<void> {
    const client = (await pool.connect()) as PoolClient;
    client.on('error', () => undefined);
    const stream = client.connection.stream as Socket;
    await first?.(client, stream);
    const ended = new Promise((resolve) => client.once('end', resolve));
    stream.destroy();
    await ended;
    client.release(new Error('cut'));
  }

  /** A connection to the socket that is not the pool's. */
  function stranger(): Promise<Socket> {
    const socket = createConnection(join(embedded.connection.host, `.s.PGSQL.${embedded.connection.port}`));
    socket.on('error', () => undefined);
    return new Promise((resolve) => socket.once('connect', () => resolve(socket)));
  }

  /** One wire-protocol message of the extended query flow. */
  function message(type: string, ...parts: Buffer[]): Buffer {
    const body = Buffer.concat(parts);
    const head = Buffer.alloc(5);
    head.write(type, 0, 'latin1');
    head.writeInt32BE(4 + body.length, 1);
    return Buffer.concat([head, body]);
  }
  const text = (value: string) => Buffer.from(`${value}\0`);
  const int16 = (value: number) => Buffer.from([value >> 8, value & 0xff]);
  const turns = (n: number): Promise<void> =>
    new Promise((resolve) => (n === 0 ? resolve() : setImmediate(() => void turns(n - 1).then(resolve))));

  it('lets every replacement connection in, with queries waiting on it, and fails none', async () => {
    const failures: string[] = [];
    let answered = 0;
    let stop = false;
    const worker = async (n: number) => {
      while (!stop) {
        try {
          const { rows } = await pool.query<{ n: number }>({ name: `worker_${n}`, text: 'SELECT $1::int AS n', values: [n] });
          expect(rows).toEqual([{ n }]);
          answered++;
        } catch (error) {
          failures.push((error as Error).message);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const workers = [0, 1, 2].map(worker);
    for (let round = 0; round < 60; round++) {
      await cut();
      const before = answered;
      const started = Date.now();
      while (answered === before && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 5));
      expect([round, answered > before]).toEqual([round, true]);
    }
    stop = true;
    await Promise.all(workers);
    expect(failures).toEqual([]);
    // Each replacement started from a clean session, where the workers prepared their statements again.
    const prepared = await pool.query<{ name: string }>(`SELECT name FROM pg_prepared_statements ORDER BY name`);
    expect(prepared.rows.map((row) => row.name)).toEqual(['worker_0', 'worker_1', 'worker_2']);
  });

  it('lets the replacement in when the cut one had a result in flight, which the server lets go after an error', async () => {
    for (let round = 0; round < 10; round++) {
      await cut(async (client) => {
        void client.query(`SELECT repeat('x', 1000) FROM generate_series(1, 5000)`).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 30));
      });
      expect([round, (await pool.query('SELECT 1 AS one')).rows]).toEqual([round, [{ one: 1 }]]);
    }
  });

  it('never hands the server a connection that left just as its turn came', async () => {
    for (let leaveAfter = 0; leaveAfter <= 12; leaveAfter++) {
      for (const how of ['end', 'destroy'] as const) {
        const waiting = await stranger();
        await cut(async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          // Leaves a few turns of the event loop after the pool's connection is cut.
          void turns(leaveAfter).then(() => waiting[how]());
        });
        await turns(leaveAfter + 1);
        waiting.destroy();
        expect([leaveAfter, how, (await pool.query('SELECT 1 AS one')).rows]).toEqual([leaveAfter, how, [{ one: 1 }]]);
      }
    }
  });

  it('ends the transaction a connection cut between Execute and Sync left open, and fails no query after it', async () => {
    await pool.query('CREATE TABLE cut_counter (id int PRIMARY KEY, value int)');
    await pool.query('INSERT INTO cut_counter VALUES (1, 0)');
    for (let round = 0; round < 3; round++) {
      await cut(async (_client, stream) => {
        stream.removeAllListeners('data');
        stream.on('data', () => undefined);
        stream.write(
          Buffer.concat([
            message('P', text(''), text('UPDATE cut_counter SET value = value + 1 WHERE id = 1'), int16(0)),
            message('B', text(''), text(''), int16(0), int16(0), int16(0)),
            message('E', text(''), Buffer.alloc(4)),
            message('H'),
          ]),
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
      });
      for (let i = 0; i < 3; i++) {
        expect([round, (await pool.query('SELECT value FROM cut_counter')).rows]).toEqual([round, [{ value: 0 }]]);
      }
    }
  });

  it('answers the replacement when the cut one errored in an extended query and never sent its Sync', async () => {
    const exchanges = {
      parse: [message('P', text(''), text('SELEC 1'), int16(0)), message('H')],
      execute: [
        message('P', text(''), text('SELECT 1/0'), int16(0)),
        message('B', text(''), text(''), int16(0), int16(0), int16(0)),
        message('E', text(''), Buffer.alloc(4)),
        message('H'),
      ],
    };
    for (const [name, exchange] of Object.entries(exchanges)) {
      await cut(async (_client, stream) => {
        stream.removeAllListeners('data');
        stream.on('data', () => undefined);
        stream.write(Buffer.concat(exchange));
        await new Promise((resolve) => setTimeout(resolve, 200));
      });
      expect([name, (await pool.query('SELECT 1 AS one')).rows]).toEqual([name, [{ one: 1 }]]);
    }
    // The same through pg: a query refused at Parse, cut while its long parameter is still being written.
    await cut((client) => {
      void client.query('SELECT * FROM no_such_table WHERE x = $1', ['x'.repeat(2_000_000)]).catch(() => undefined);
      return Promise.resolve();
    });
    expect((await pool.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });

  it('refuses clients that are not the pool, the waiting ones after a bound, and keeps serving', async () => {
    const intruders = Array.from({ length: GATE_MAX_WAITING + 3 }, () => {
      const intruder = new Client({ ...embedded.connection, user: embedded.connection.username });
      intruder.on('error', () => undefined);
      const started = Date.now();
      return intruder.connect().then(
        () => 'connected',
        () => Date.now() - started,
      );
    });
    // The cloud's connection keeps answering while they wait.
    for (let i = 0; i < 20; i++) expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    const outcomes = await Promise.all(intruders);
    expect(outcomes.filter((outcome) => outcome === 'connected')).toEqual([]);
    // The ones past the bound were refused on arrival, the others after the wait.
    const waits = (outcomes as number[]).sort((a, b) => a - b);
    expect(waits[2]).toBeLessThan(GATE_WAIT_MS);
    expect(waits[waits.length - 1]).toBeGreaterThanOrEqual(GATE_WAIT_MS - 50);
    // And a cut after them is replaced as before.
    await cut();
    expect((await pool.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });
});

describe('the embedded database stopping while connections wait', () => {
  it('refuses the waiting ones at once instead of after their wait', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cos-stop-'));
    const embedded = await EmbeddedPostgres.start(dir);
    const { host, port, username, database } = embedded.connection;
    const pool = new Pool({ host, port, user: username, database, ...poolConfig(EmbeddedPostgres.POOL) });
    pool.on('error', () => undefined);
    try {
      await pool.query('SELECT 1');
      const waiting = await Promise.all(
        Array.from({ length: GATE_MAX_WAITING }, () => {
          const socket = createConnection(join(host, `.s.PGSQL.${port}`));
          socket.on('error', () => undefined);
          return new Promise<Socket>((resolve) => socket.once('connect', () => resolve(socket)));
        }),
      );
      const closed = Promise.all(waiting.map((socket) => new Promise((resolve) => socket.once('close', resolve))));
      const started = Date.now();
      await embedded.stop();
      await closed;
      expect(Date.now() - started).toBeLessThan(GATE_WAIT_MS);
    } finally {
      await pool.end();
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
