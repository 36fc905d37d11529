/**
 * The web console's first load in a real browser (Debian's Chromium through playwright-core)
 * against the built cloud with 100,000 windows in the team: the compressed JavaScript it
 * transfers (against its 250 KB budget), the time from navigation until the first screen of rows
 * of the windows table shows, then scrolling the list: frame times over ~5 s of fast scrolling with jumps,
 * and the time from a jump to the end until the last window's row shows.
 * Each round is a fresh browser context (empty cache) that holds only the console's session cookie.
 * Each round also loads a bare page (console-floor.ts: one script, one call, one row) the same way,
 * so the machine's own floor is measured beside the console, and the first load is broken down step
 * by step from the page's own timings (where the time goes: scripts, refresh, first rows, drawing).
 *
 * With BENCH_CONSOLE_VS set to another built console folder (its index.html and assets, e.g. an
 * earlier commit's `vite build apps/console`), a second cloud on the same database serves that one,
 * and the rounds alternate between the two, so both first loads are measured side by side on the
 * same machine at the same time, and each is scrolled in its own rounds.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { bareFloor } from './console-floor';
import { frameStats, LongFrame, ScrollBox, scrollFrames, timeToLastRow } from './console-scroll';
import { freshDatabase, ms, postApi, seedWindows, startProcess, stats, table, timed } from './support';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 100_000);
const CLOUD_PORT = Number(process.env.BENCH_CLOUD_PORT ?? 3917);
const VS_DIR = process.env.BENCH_CONSOLE_VS;
const TRACE = process.env.BENCH_CONSOLE_TRACE;
const JS_BUDGET_KB = 250;
/**
 * A new browser context's blank page goes on starting for a while after it answers (Chromium also
 * starts its next spare renderer then): on this 2-core machine that work took ~300 ms from a load
 * begun at once. A user's browser is already up, so each page waits this long before it navigates,
 * and the list this long after its first rows before it is scrolled. 0 measures without the wait.
 */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 1500);
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SCREENSHOT = join(__dirname, '..', 'docs', 'console-windows.png');

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'cos-bench-console-'));
  const databaseUrl = await freshDatabase(ADMIN_URL, 'cos_bench_console');
  const url = `http://127.0.0.1:${CLOUD_PORT}`;
  const cloudAt = (port: number, consoleDir?: string) =>
    startProcess(
      'dist/apps/cloud/apps/cloud/src/main.js',
      {
        DATABASE_URL: databaseUrl,
        CLOUD_PORT: String(port),
        CLOUD_DATA_DIR: join(work, `cloud-${port}`),
        // A sign-in per round, for two clouds on one database: more than the default limits allow in a minute.
        LOGIN_THROTTLE_LIMIT: '1000',
        LOGIN_ADDRESS_THROTTLE_LIMIT: '1000',
        ...(consoleDir ? { CONSOLE_DIR: consoleDir } : {}),
      },
      `http://127.0.0.1:${port}/health`,
    );
  const cloud = await cloudAt(CLOUD_PORT);
  const vsUrl = `http://127.0.0.1:${CLOUD_PORT + 1}`;
  const vsCloud = VS_DIR ? await cloudAt(CLOUD_PORT + 1, VS_DIR) : undefined;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // BENCH_CHROMIUM_ARGS: more switches, to find where a frame's time went (e.g. --js-flags=--no-maglev).
      ...(process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean),
    ],
  });
  try {
    const owner = await postApi(url, '/auth/register', { email: 'bench@example.com', password: 'bench-password' });
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    await seedWindows(db, owner.team.id, owner.user.id, WINDOWS);
    await db.query('ANALYZE');
    await db.end();
    // The list's last window in its own order, for the jump to the end.
    const total: number = (await postApi(url, '/browser/list', { pageSize: 1 }, owner.accessToken)).total;
    const lastName: string = (await postApi(url, '/browser/list', { page: total - 1, pageSize: 1 }, owner.accessToken)).list[0].name;

    const times: number[] = [];
    const frames: number[] = [];
    /** Each dropped frame: its round, and when it ended (ms into that round's scroll). */
    const dropped: { round: number; at: number; ms: number }[] = [];
    const long: (LongFrame & { round: number })[] = [];
    const toLastRow: (number | null)[] = [];
    let scrolled: ScrollBox = 'document';
    let jsBytes = 0;
    let jsRaw = 0;
    const vsTimes: number[] = [];
    const vsFrames: number[] = [];
    const steps: Record<string, number>[] = [];
    const loadOther = async () => {
      const other = await openConsole(browser, vsUrl);
      vsTimes.push(other.loadMs);
      await other.page.waitForTimeout(SETTLE_MS);
      vsFrames.push(...(await scrollFrames(other.page)).frames);
      await other.context.close();
    };
    const bare = await bareFloor(browser, SETTLE_MS);
    const floorTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      floorTimes.push(await bare.load());
      // The other console first in odd rounds, so neither always loads into a just-warmed machine.
      if (vsCloud && round % 2 === 1) await loadOther();
      const { page, context, loadMs, scripts, steps: roundSteps } = await openConsole(browser, url);
      times.push(loadMs);
      steps.push(roundSteps);
      if (round === 0) {
        mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
        await page.screenshot({ path: SCREENSHOT });
      }
      await page.waitForTimeout(SETTLE_MS);
      // BENCH_CONSOLE_TRACE=file.json: Chromium's trace of the first round's scroll, for its performance panel.
      if (TRACE && round === 0) await browser.startTracing(page, { path: TRACE });
      const scroll = await scrollFrames(page);
      if (TRACE && round === 0) await browser.stopTracing();
      frames.push(...scroll.frames);
      let at = 0;
      for (const frame of scroll.frames) {
        at += frame;
        if (frame > 33) dropped.push({ round, at, ms: frame });
      }
      long.push(...scroll.long.map((entry) => ({ ...entry, round })));
      scrolled = scroll.box;
      toLastRow.push(await timeToLastRow(page, total, lastName));
      const sizes = await Promise.all(scripts);
      jsBytes = sizes.reduce((sum, s) => sum + s.encoded, 0);
      jsRaw = sizes.reduce((sum, s) => sum + s.raw, 0);
      await context.close();
      if (vsCloud && round % 2 === 0) await loadOther();
    }
    const floor = stats(floorTimes);
    bare.close();
    const load = stats(times);
    console.log(`\nConsole first load, ${WINDOWS.toLocaleString('en')} windows in the team, ${ROUNDS} fresh browser contexts:\n`);
    table([
      {
        measure: 'JavaScript transferred (gzip)',
        value: `${(jsBytes / 1024).toFixed(1)} KB (${(jsRaw / 1024).toFixed(1)} KB uncompressed)`,
        target: `budget ${JS_BUDGET_KB} KB`,
      },
      {
        measure: 'navigation to the first screen of rows shown',
        value: `p50 ${ms(load.p50)}, p90 ${ms(load.p90)}`,
        target: `p50 < 500 ms: ${load.p50 < 500 ? 'met' : 'MISSED'}`,
      },
      {
        measure: "this machine's floor: a bare page, one call, one row",
        value: `p50 ${ms(floor.p50)}, p90 ${ms(floor.p90)}`,
        target: `the console's own: p50 ${ms(load.p50 - floor.p50)}`,
      },
    ]);
    // Where the first load's time goes: each step's median, from the page's own timings (ms since navigation).
    const median = (key: string) => {
      const seen = steps.map((round) => round[key]).filter((v) => Number.isFinite(v));
      return seen.length ? ms(stats(seen).p50) : 'not asked';
    };
    const STEPS: [string, string][] = [
      ['html', 'page received'],
      ['scripts', 'last script received'],
      ['domContentLoaded', 'page parsed, entry run'],
      ['refreshStart', 'session refresh asked'],
      ['refreshEnd', 'session refresh answered'],
      ['listStart', 'first rows asked'],
      ['listEnd', 'first rows answered'],
      ['meEnd', 'who is signed in answered (/auth/me, when the refresh did not say)'],
      ['rows', 'first rows shown'],
    ];
    console.log('\nFirst load step by step (p50 of each, ms since navigation):\n');
    table(STEPS.map(([key, measure]) => ({ measure, value: median(key) })));
    if (vsCloud) {
      const vs = stats(vsTimes);
      console.log(`\nSide by side, rounds alternating, first screen of rows: this build p50 ${ms(load.p50)}, p90 ${ms(load.p90)};`);
      console.log(`${VS_DIR} p50 ${ms(vs.p50)}, p90 ${ms(vs.p90)}; this build / that one at p50: ${(load.p50 / vs.p50).toFixed(2)}`);
      const [mine, theirs] = [frameStats(frames), frameStats(vsFrames)];
      console.log(
        `Scrolling, same rounds: this build ${mine.over33} of ${mine.count} frames dropped (max ${ms(mine.max)}); ` +
          `that one ${theirs.over33} of ${theirs.count} (max ${ms(theirs.max)})\n`,
      );
    }
    console.log(
      `${jsBytes <= JS_BUDGET_KB * 1024 ? 'met    ' : 'MISSED '} compressed JavaScript ${(jsBytes / 1024).toFixed(1)} KB, budget ${JS_BUDGET_KB} KB`,
    );

    const f = frameStats(frames);
    const reached = toLastRow.filter((t): t is number => t !== null);
    console.log(
      `\nScrolling the ${total.toLocaleString('en')} windows (${scrolled === 'document' ? 'the page itself: no .table-scroll box' : 'the .table-scroll box'}), ~5 s a round:\n`,
    );
    table([
      { measure: 'frame time', value: `p50 ${ms(f.p50)}, p95 ${ms(f.p95)}, p99 ${ms(f.p99)}, max ${ms(f.max)}`, target: '16.7 ms (60 Hz)' },
      { measure: 'frames over 16.7 ms', value: `${f.over16} of ${f.count}`, target: '–' },
      { measure: 'dropped frames (over 33 ms)', value: `${f.over33} of ${f.count}`, target: '0' },
      {
        measure: 'jump to the end until the last row shows',
        value: reached.length
          ? `p50 ${ms(stats(reached).p50)}, max ${ms(Math.max(...reached))}${reached.length < toLastRow.length ? ` (not shown in ${toLastRow.length - reached.length} rounds)` : ''}`
          : 'not shown within 15 s in any round',
        target: '–',
      },
    ]);
    if (dropped.length > 0) {
      console.log('\nDropped frames (round: ms into its scroll when the frame ended, frame time):');
      console.log(dropped.map((d) => `${d.round}: ${ms(d.at)} (${ms(d.ms)})`).join('; '));
    }
    if (long.length > 0) {
      console.log("\nThe page's main thread in frames over 33 ms (Long Animation Frames API; ms):\n");
      table(
        long.map((entry) => ({
          measure: `round ${entry.round}, ${ms(entry.at)} in`,
          value: `${ms(entry.ms)}: script ${ms(entry.script)}, style and layout ${ms(entry.styleAndLayout)}, rendering ${ms(entry.render)}`,
          target: entry.scripts.map((script) => `${script.what} ${ms(script.ms)}`).join(', ') || '–',
        })),
      );
    } else console.log("\nNo frame of the page's main thread took over 33 ms while scrolling (Long Animation Frames API).");
  } finally {
    await browser.close();
    cloud.kill('SIGTERM');
    vsCloud?.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A fresh browser context signed in to the console at `url` (only its session cookie), timed from
 * navigation until the first screen of rows shows: the first window's name, no row on screen still loading.
 */
async function openConsole(browser: Browser, url: string) {
  const login = await fetch(`${url}/auth/console/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: url },
    body: JSON.stringify({ email: 'bench@example.com', password: 'bench-password' }),
  });
  const cookie = login.headers.get('set-cookie');
  if (!cookie) throw new Error(`console sign-in at ${url} refused: ${await login.text()}`);
  const [name, value] = cookie.split(';')[0].split('=');
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addCookies([{ name, value, url: `${url}/auth/console/`, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  await page.waitForTimeout(SETTLE_MS);
  const scripts: Promise<{ encoded: number; raw: number }>[] = [];
  page.on('response', (response) => {
    if (response.url().endsWith('.js')) {
      scripts.push(
        Promise.all([response.request().sizes(), response.body()]).then(([sizes, body]) => ({
          encoded: sizes.responseBodySize,
          raw: body.length,
        })),
      );
    }
  });
  const [loadMs] = await timed(async () => {
    await page.goto(`${url}/#/windows`);
    await page.waitForFunction(
      () =>
        document.querySelector('tr[aria-rowindex="2"] button.link') !== null && document.querySelector('.table-scroll tr.pending') === null,
      undefined,
      { polling: 'raf' },
    );
  });
  const steps = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const call = (path: string) =>
      performance.getEntriesByType('resource').find((entry) => entry.name.endsWith(path)) as PerformanceResourceTiming | undefined;
    const scripts = performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('.js')) as PerformanceResourceTiming[];
    return {
      html: nav.responseEnd,
      scripts: Math.max(...scripts.map((s) => s.responseEnd)),
      domContentLoaded: nav.domContentLoadedEventEnd,
      refreshStart: call('/auth/console/refresh')?.startTime ?? NaN,
      refreshEnd: call('/auth/console/refresh')?.responseEnd ?? NaN,
      listStart: call('/browser/list')?.startTime ?? NaN,
      listEnd: call('/browser/list')?.responseEnd ?? NaN,
      meEnd: call('/auth/me')?.responseEnd ?? NaN,
      rows: performance.now(),
    };
  });
  return { page, context, loadMs, scripts, steps };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
