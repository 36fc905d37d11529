import { ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { Browser, Page } from 'puppeteer-core';
import { waitForHealth } from '../test/support/wait-for-health';

export interface Stats {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: sorted.reduce((s, v) => s + v, 0) / sorted.length };
}

export async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await run();
  return [performance.now() - start, value];
}

export async function sample(times: number, run: (i: number) => Promise<unknown>): Promise<Stats> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) samples.push((await timed(() => run(i)))[0]);
  return stats(samples);
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

export function table(rows: Record<string, string | number>[]): void {
  const keys = Object.keys(rows[0]);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(keys));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(keys.map((k) => String(row[k]))));
}

/** POST to the cloud at `base` and answer `data`, or throw the envelope's message. */
export async function postApi(base: string, path: string, body: unknown, token?: string): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { code: number; msg: string; data: any };
  if (json.code !== 0) throw new Error(`${path}: ${json.msg}`);
  return json.data;
}

/** Starts a built app in its own process, so the load generator does not share its event loop. */
export async function startProcess(script: string, env: Record<string, string>, readyUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForHealth(child, readyUrl, { name: script, timeoutMs: 60_000 });
  return child;
}

/** A new, empty database for one benchmark on the PostgreSQL at `adminUrl`; answers its URL. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface Queryable {
  query(text: string, params?: unknown[]): Promise<{ rows: any[] }>;
}

/** `count` windows in a team: 20 groups, 10 tags on every fifth, every tenth remark says "vip", half behind a proxy. */
export async function seedWindows(db: Queryable, teamId: number, userId: number, count: number): Promise<void> {
  const groups: { id: number }[] = (
    await db.query(`INSERT INTO groups (team_id, name) SELECT $1, 'group ' || g FROM generate_series(1, 20) g RETURNING id`, [teamId])
  ).rows;
  const tags: { id: number }[] = (
    await db.query(`INSERT INTO tags (team_id, name) SELECT $1, 'tag ' || g FROM generate_series(1, 10) g RETURNING id`, [teamId])
  ).rows;
  await db.query(
    `INSERT INTO windows (team_id, seq, name, remark, group_id, fingerprint, config, proxy_type, proxy_host, proxy_port, created_by, created_at)
     SELECT $1, g, 'Window ' || g,
            CASE WHEN g % 10 = 0 THEN 'vip seller account ' || g ELSE 'regular account ' || g END,
            ($3::int[])[1 + g % 20], '{"os":"Win32","coreVersion":"118","languages":["en-US"]}', '{"syncCookies":true}',
            CASE WHEN g % 2 = 0 THEN 'socks5' ELSE 'direct' END, CASE WHEN g % 2 = 0 THEN '10.0.0.1' ELSE '' END,
            CASE WHEN g % 2 = 0 THEN 1080 END, $2, now() - make_interval(secs => $4 - g)
     FROM generate_series(1, $4) g`,
    [teamId, userId, groups.map((g) => g.id), count],
  );
  await db.query(
    `INSERT INTO window_tags (window_id, tag_id) SELECT w.id, ($2::int[])[1 + w.seq % 10] FROM windows w WHERE w.team_id = $1 AND w.seq % 5 = 0`,
    [teamId, tags.map((t) => t.id)],
  );
  await db.query(`UPDATE teams SET window_seq = $2 WHERE id = $1`, [teamId, count]);
}

/** POSTs to a local agent at `agentUrl` with its local token; answers `data`, or throws the envelope's message. */
export function localApi(agentUrl: string, token: string): (path: string, body: object) => Promise<any> {
  return async (path, body) => {
    const res = await fetch(`${agentUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Cos-Local-Token': token },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { code: number; msg: string; data: any };
    if (json.code !== 0) throw new Error(`${path}: ${json.msg}`);
    return json.data;
  };
}

/** Registers the benchmarks' account on the cloud at `cloudUrl` (ignored when it exists). */
export async function registerBenchAccount(cloudUrl: string): Promise<void> {
  await fetch(`${cloudUrl}/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com', password: 'bench-password' }),
  });
}

/**
 * Makes a window's profile heavy through a connected script: 5,000 cookies over 50 sites (Firefox
 * keeps at most 180 per host) and 20 MB of IndexedDB that does not compress, like real site data.
 */
export async function fillHeavyProfile(browser: Browser, page: Page): Promise<void> {
  const expiry = Math.floor(Date.now() / 1000) + 86400 * 30;
  for (let site = 0; site < 50; site++) {
    await browser.setCookie(
      ...Array.from({ length: 100 }, (_, j) => ({
        name: `c${j}`,
        value: `value-${site}-${j}-${'x'.repeat(40)}`,
        domain: `site${site}.example`,
        path: '/',
        expires: expiry,
      })),
    );
  }
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const open = indexedDB.open('bench', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('blobs');
        open.onsuccess = () => {
          const tx = open.result.transaction('blobs', 'readwrite');
          const chunk = () => Array.from({ length: 262144 }, () => Math.random().toString(36).slice(2, 6)).join('');
          for (let i = 0; i < 20; i++) tx.objectStore('blobs').put(chunk(), `blob${i}`);
          tx.oncomplete = () => resolve();
        };
      }),
  );
}

/** A bare LISTEN/NOTIFY round trip between two `pg` connections, `times` over: the floor of anything told across instances. */
export async function bareNotify(url: string, times: number): Promise<number[]> {
  const listener = new Client({ connectionString: url });
  const sender = new Client({ connectionString: url });
  await Promise.all([listener.connect(), sender.connect()]);
  await listener.query('LISTEN bench');
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const heard = new Promise<number>((resolve) => listener.once('notification', () => resolve(performance.now())));
    const start = performance.now();
    await sender.query(`SELECT pg_notify('bench', $1)`, [String(i)]);
    samples.push((await heard) - start);
  }
  await Promise.all([listener.end(), sender.end()]);
  return samples;
}
