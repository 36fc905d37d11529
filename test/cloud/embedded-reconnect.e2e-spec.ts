import { mkdtempSync, rmSync } from 'node:fs';
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

  /** Cuts the pool's connection under it and hands the dead client back, as a failed one is. */
  async function cut(): Promise<void> {
    const client = (await pool.connect()) as PoolClient;
    client.on('error', () => undefined);
    const ended = new Promise((resolve) => client.once('end', resolve));
    client.connection.stream.destroy();
    await ended;
    client.release(new Error('cut'));
  }

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
