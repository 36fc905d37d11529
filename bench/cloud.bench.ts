/**
 * Cloud under load on real PostgreSQL: one team with 100,000 windows and ten more with 10,000
 * each. Each endpoint is driven by autocannon against the built cloud in its own process, and the
 * same query is timed on a bare `pg` client in the same run, side by side. The same data then
 * goes into the embedded database (PGlite, the default install) and the same load runs against a
 * cloud on it, for its own column.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Extension, PGlite } from '@electric-sql/pglite';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { freshDatabase, postApi, Queryable, Stats, ms, ratio, sample, seedWindows, startProcess, table } from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'cos_bench_cloud';
const PORT = Number(process.env.BENCH_CLOUD_PORT ?? 3901);
const EMBEDDED_PORT = PORT + 1;
let BASE = `http://127.0.0.1:${PORT}`;
/**
 * `BENCH_SCALE`: `100k` (the default: one team of 100,000 and ten of 10,000) or `1m` (one team of
 * 100,000 and 90 of 10,000, a million windows). The embedded column runs at 100k only: the
 * default install is one desktop's cloud, not a million windows'.
 */
const SCALE = process.env.BENCH_SCALE ?? '100k';
if (SCALE !== '100k' && SCALE !== '1m') throw new Error('BENCH_SCALE must be 100k or 1m');
const BIG_TEAM = 100_000;
const SMALL_TEAMS = SCALE === '1m' ? 90 : 10;
const SMALL_TEAM = 10_000;
const CONNECTIONS = 10;
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);

const api = (path: string, body: unknown, token?: string) => postApi(BASE, path, body, token);

/** `pg`'s Client and PGlite both answer `query(text, params)` with `{ rows }`. */
interface Load {
  p50: number;
  p99: number;
  rps: number;
}

/** Each endpoint is driven this long before it is measured: the JIT has compiled its path by then. */
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);

async function load(path: string, token: string, bodies: (i: number) => unknown, connections = CONNECTIONS): Promise<Load> {
  if (WARMUP > 0) await drive(path, token, bodies, connections, WARMUP);
  return drive(path, token, bodies, connections, DURATION);
}

async function drive(path: string, token: string, bodies: (i: number) => unknown, connections: number, duration: number): Promise<Load> {
  let i = 0;
  const result = await autocannon({
    url: `${BASE}${path}`,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        setupRequest: (req) => ({ ...req, body: JSON.stringify(bodies(i++)) }),
        onResponse: (status, body) => {
          if (status !== 200 || !body.startsWith('{"code":0')) throw new Error(`${path} answered ${body.slice(0, 200)}`);
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average };
}

const ENV = { LOGIN_THROTTLE_LIMIT: '1000', LOGIN_ADDRESS_THROTTLE_LIMIT: '100000', NODE_ENV: 'test' };

/** Registers the bench's owners through the API; their teams are then seeded with SQL. */
async function owners() {
  const owner = await api('/auth/register', { email: 'bench@example.com', password: 'bench-password' });
  const others = [];
  for (let t = 0; t < SMALL_TEAMS; t++)
    others.push(await api('/auth/register', { email: `other${t}@example.com`, password: 'bench-password' }));
  return { owner, others };
}

async function seedAll(db: Queryable, registered: Awaited<ReturnType<typeof owners>>): Promise<void> {
  await seedWindows(db, registered.owner.team.id, registered.owner.user.id, BIG_TEAM);
  for (const other of registered.others) await seedWindows(db, other.team.id, other.user.id, SMALL_TEAM);
  // A steady state, as autovacuum leaves it: statistics and the visibility map are current.
  await db.query('VACUUM ANALYZE');
}

/**
 * The default install's database under the same load: the cloud creates the schema, the bench
 * seeds the same rows into PGlite while the cloud is stopped (nothing else may reach it while it
 * runs), and the cloud starts again on them.
 */
async function embeddedLoads(middlePage: number, deepPage: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cos-bench-embedded-'));
  const env = { ...ENV, CLOUD_PORT: String(EMBEDDED_PORT), CLOUD_DATA_DIR: dataDir };
  BASE = `http://127.0.0.1:${EMBEDDED_PORT}`;
  try {
    let cloud = await startProcess('dist/apps/cloud/apps/cloud/src/main.js', env, `${BASE}/health`);
    const registered = await owners();
    cloud.kill('SIGTERM');
    await new Promise((resolve) => cloud.once('exit', resolve));
    console.log('seeding the embedded database ...');
    const db = await PGlite.create({ dataDir: join(dataDir, 'pgdata'), extensions: { pg_trgm } });
    await seedAll(db, registered);
    await db.close();
    cloud = await startProcess('dist/apps/cloud/apps/cloud/src/main.js', env, `${BASE}/health`);
    try {
      const token: string = (await api('/auth/login', { email: 'bench@example.com', password: 'bench-password' })).accessToken;
      const ids: number[] = (await api('/browser/list', { page: 0, pageSize: 100 }, token)).list.map((w: { id: number }) => w.id);
      return {
        detail: await load('/browser/detail', token, (i) => ({ id: ids[i % ids.length] })),
        first: await load('/browser/list', token, () => ({ page: 0, pageSize: 10 })),
        middle: await load('/browser/list', token, () => ({ page: middlePage, pageSize: 10 })),
        deep: await load('/browser/list', token, () => ({ page: deepPage, pageSize: 10 })),
        keyword: await load('/browser/list', token, () => ({ keyword: 'vip', page: 0, pageSize: 10 })),
      };
    } finally {
      cloud.kill('SIGTERM');
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const databaseUrl = await freshDatabase(ADMIN_URL, DB_NAME);

  const cloud = await startProcess(
    'dist/apps/cloud/apps/cloud/src/main.js',
    { ...ENV, DATABASE_URL: databaseUrl, CLOUD_PORT: String(PORT), CLOUD_DATA_DIR: `/tmp/${DB_NAME}` },
    `${BASE}/health`,
  );
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    console.log(`seeding 1 team x ${BIG_TEAM} windows + ${SMALL_TEAMS} teams x ${SMALL_TEAM} ...`);
    const registered = await owners();
    const token: string = registered.owner.accessToken;
    const teamId: number = registered.owner.team.id;
    await seedAll(db, registered);
    const ids: number[] = (await db.query(`SELECT id FROM windows WHERE team_id = $1 ORDER BY id`, [teamId])).rows.map((r) => r.id);
    const pick = (i: number) => ids[(i * 7919) % ids.length];
    const deepPage = BIG_TEAM / 10 - 1;
    // The worst page: the service reads pages past the middle from the far end of the index.
    const middlePage = BIG_TEAM / 20 - 1;

    // Bare SQL: the statements the endpoints run, on one plain connection.
    const live = `FROM windows w WHERE w.team_id = $1 AND w.deleted_at IS NULL`;
    // A page's ids and rows in one statement, as the service reads them.
    const rowsOf = (idsSql: string, params: unknown[]) =>
      db.query(`SELECT w.* FROM unnest(ARRAY(${idsSql})) WITH ORDINALITY AS p(id, n) JOIN windows w ON w.id = p.id ORDER BY p.n`, params);
    const page = async (extra: string, offset: number, params: unknown[]) => {
      const idsFrom = (direction: 'ASC' | 'DESC', skip: number) =>
        `SELECT w.id ${live} ${extra} ORDER BY w.created_at ${direction}, w.id ${direction} LIMIT 10 OFFSET ${skip}`;
      if (offset === 0 || extra) {
        // Totals without a text filter come from the counters, as in the service.
        await Promise.all([
          rowsOf(idsFrom('DESC', offset), params),
          extra
            ? db.query(`SELECT count(*) ${live} ${extra}`, params)
            : db.query(`SELECT sum(live) FROM window_counts WHERE team_id = $1`, [params[0]]),
        ]);
      } else {
        // As the service: the total first, then a page past the middle from the far end.
        const total = Number((await db.query(`SELECT sum(live) AS n FROM window_counts WHERE team_id = $1`, [params[0]])).rows[0].n);
        await rowsOf(offset * 2 <= total ? idsFrom('DESC', offset) : idsFrom('ASC', total - offset - 10), params);
      }
    };
    const bare: Record<string, Stats> = {
      detail: await sample(500, (i) =>
        db.query(
          `SELECT w.*, g.name AS group_name,
                  coalesce((SELECT json_agg(json_build_object('id', t.id, 'name', t.name) ORDER BY t.name, t.id)
                            FROM window_tags wt JOIN tags t ON t.id = wt.tag_id WHERE wt.window_id = w.id), '[]') AS tag_list
           FROM windows w LEFT JOIN groups g ON g.id = w.group_id
           WHERE w.team_id = $1 AND w.deleted_at IS NULL AND w.id = $2`,
          [teamId, pick(i)],
        ),
      ),
      first: await sample(200, () => page('', 0, [teamId])),
      middle: await sample(50, () => page('', middlePage * 10, [teamId])),
      deep: await sample(50, () => page('', deepPage * 10, [teamId])),
      keyword: await sample(100, () => page(`AND (w.name ILIKE $2 OR w.remark ILIKE $2)`, 0, [teamId, '%vip%'])),
      batch: await sample(20, async (i) => {
        const batch = ids.slice((i * 1000) % (ids.length - 1000), ((i * 1000) % (ids.length - 1000)) + 1000);
        await db.query('BEGIN');
        await db.query(
          `SELECT id, group_id FROM windows WHERE team_id = $1 AND id = ANY($2) AND deleted_at IS NULL ORDER BY id FOR UPDATE`,
          [teamId, batch],
        );
        await db.query(`UPDATE windows SET remark = $2, updated_at = now() WHERE id = ANY($1)`, [batch, `bare ${i}`]);
        await db.query('COMMIT');
      }),
    };

    console.log(`autocannon: ${CONNECTIONS} connections, ${DURATION} s per endpoint after ${WARMUP} s of warm-up`);
    const http = {
      detail: await load('/browser/detail', token, (i) => ({ id: pick(i) })),
      first: await load('/browser/list', token, () => ({ page: 0, pageSize: 10 })),
      middle: await load('/browser/list', token, () => ({ page: middlePage, pageSize: 10 })),
      deep: await load('/browser/list', token, () => ({ page: deepPage, pageSize: 10 })),
      keyword: await load('/browser/list', token, () => ({ keyword: 'vip', page: 0, pageSize: 10 })),
    };
    const batchHttp = await sample(20, (i) => {
      const start = (i * 1000) % (ids.length - 1000);
      return api('/browser/update/partial', { ids: ids.slice(start, start + 1000), remark: `http ${i}` }, token);
    });

    cloud.kill('SIGTERM');
    const skipped: Load = { p50: NaN, p99: NaN, rps: NaN };
    const embedded =
      SCALE === '100k'
        ? await embeddedLoads(middlePage, deepPage)
        : { detail: skipped, first: skipped, middle: skipped, deep: skipped, keyword: skipped };

    const rows = [
      { endpoint: '/browser/detail', ...row(http.detail, bare.detail, embedded.detail) },
      { endpoint: '/browser/list first page', ...row(http.first, bare.first, embedded.first) },
      { endpoint: `/browser/list page ${middlePage} (middle)`, ...row(http.middle, bare.middle, embedded.middle) },
      { endpoint: `/browser/list page ${deepPage} (last)`, ...row(http.deep, bare.deep, embedded.deep) },
      { endpoint: '/browser/list keyword "vip"', ...row(http.keyword, bare.keyword, embedded.keyword) },
      {
        endpoint: '/browser/update/partial 1,000 ids (serial)',
        p50: ms(batchHttp.p50),
        p99: ms(batchHttp.p99),
        'req/s': (1000 / batchHttp.mean).toFixed(1),
        'bare SQL p50': ms(bare.batch.p50),
        'HTTP/SQL p50': ratio(batchHttp.p50, bare.batch.p50),
        'embedded p50': '-',
        'embedded p99': '-',
        'embedded req/s': '-',
      },
    ];
    table(rows);
    const total = BIG_TEAM + SMALL_TEAMS * SMALL_TEAM;
    console.log(`${total.toLocaleString('en')} windows in ${SMALL_TEAMS + 1} teams`);
    const verdicts =
      SCALE === '1m'
        ? ([
            ['list first, middle and last page p99 < 20 ms', Math.max(http.first.p99, http.middle.p99, http.deep.p99) < 20],
            ['keyword matching 10,000 windows p99 < 50 ms', http.keyword.p99 < 50],
            ['detail > 3,000 req/s', http.detail.rps > 3000],
            ['1,000-id batch update p99 < 100 ms', batchHttp.p99 < 100],
          ] as const)
        : ([
            [`list p99 < 50 ms at ${BIG_TEAM} windows`, Math.max(http.first.p99, http.middle.p99, http.deep.p99, http.keyword.p99) < 50],
            ['detail > 1,500 req/s', http.detail.rps > 1500],
            ['1,000-window batch update < 300 ms (p99)', batchHttp.p99 < 300],
          ] as const);
    for (const [target, met] of verdicts) console.log(`${met ? 'met    ' : 'MISSED '} ${target}`);
  } finally {
    await db.end();
    cloud.kill('SIGTERM');
  }
}

function row(load: Load, bare: Stats, embedded: Load) {
  return {
    p50: ms(load.p50),
    p99: ms(load.p99),
    'req/s': load.rps.toFixed(0),
    'bare SQL p50': ms(bare.p50),
    'HTTP/SQL p50': ratio(load.p50, bare.p50),
    'embedded p50': Number.isNaN(embedded.p50) ? '-' : ms(embedded.p50),
    'embedded p99': Number.isNaN(embedded.p99) ? '-' : ms(embedded.p99),
    'embedded req/s': Number.isNaN(embedded.rps) ? '-' : embedded.rps.toFixed(0),
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
