/**
 * How fast a worker runs compute under the window's worker noise, against the same work in the
 * page and without the extension. Run by hand (not a test: timings on a shared machine are noisy):
 *
 *   npx ts-node-transpile-only test/fingerprint/worker-speed.ts [--no-extension] [--debugger FILE]
 *
 * Starts headless Firefox ESR with the window's extension (worker-extension.ts), serves the pages
 * in speed/ from 127.0.0.1 and prints, per worker kind and script, the median of 5 runs (after one
 * warm-up) of 10⁶ integer operations, 2·10⁵ Math calls and a 10⁷-step wasm loop,  in ms
 * (a loop that takes under 20 ms is repeated REPS times, 20 unless set, and averaged: the timers are
 * 1 ms coarse). Scripts: plain (no canvas), canvas (reads one back), late (imports canvas code when
 * told), eval (builds it with new Function when told, its own source naming no readback), top
 * (reads one back in its first statement; run with SCRIPTS=top).
 * `--debugger FILE` loads FILE into every worker's debugger instead of worker-realm.ts's script.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { Page } from 'puppeteer-core';
import { writeFingerprintExtension } from '../../apps/local-agent/src/browser/fingerprint-extension';
import { pageRealmScript } from '../../apps/local-agent/src/browser/page-realm';
import { EXPERIMENT_PREFS, workerExtensionFiles } from '../../apps/local-agent/src/browser/worker-extension';

const SEED = '0123456789abcdef0123456789abcdef';
const COMPUTE = ['int', 'math', 'wasm'];
const args = process.argv.slice(2);
const withExtension = !args.includes('--no-extension');
const debuggerFile = args.includes('--debugger') ? args[args.indexOf('--debugger') + 1] : null;
const kinds = (process.env.KINDS ?? 'dedicated,shared,blob,service').split(',');
const scripts = (process.env.SCRIPTS ?? 'plain,canvas,late,eval').split(',');

const reps = Number(process.env.REPS ?? 20);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timeAll(run: (task: string) => Promise<{ ms: number }>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const task of COMPUTE) {
    // One warm-up run, which also says whether the task is fast enough to repeat.
    const once = await run(task);
    const command = task === 'wasm' || once.ms > 20 ? task : `${task}:${reps}`;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push((await run(command)).ms);
    out[task] = Math.round(median(times) * 100) / 100;
  }
  return out;
}

async function measureWorker(page: Page, base: string, kind: string, script: string) {
  await page.goto(`${base}/`);
  await page.evaluate((k, s) => (window as any).startWorker(k, s), kind, `/worker-${script}.js`);
  const send = (command: string) => page.evaluate((c) => (window as any).send(c), command);
  const before = await timeAll(send);
  if (script === 'plain') return { before };
  if (script === 'late' || script === 'eval') await send('load');
  const read = await send('read');
  const after = await timeAll(send);
  // Pixel sums of the first and a later readback: both differ from a run without the extension when noised.
  const again = await send('read');
  return { before, read: read.ms, after, sums: [read.value, again.value] };
}

async function main() {
  const dir = join(__dirname, 'speed');
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const file = path === '/' ? 'index.html' : path.slice(1);
    if (!/^[\w-]+\.(js|html)$/.test(file)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('Content-Type', file.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8');
    res.end(readFileSync(join(dir, file)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const extensionDir = mkdtempSync(join(tmpdir(), 'worker-speed-'));
  const files = workerExtensionFiles(SEED);
  if (debuggerFile) files['worker/worker-realm.js'] = readFileSync(debuggerFile, 'utf8');
  await writeFingerprintExtension(extensionDir, pageRealmScript({ seed: SEED }), null, files);
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: { ...EXPERIMENT_PREFS, 'dom.serviceWorkers.testing.enabled': true },
  });
  try {
    if (withExtension) await browser.installExtension(extensionDir);
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    const pageTimes = await timeAll((task) => page.evaluate((t) => (window as any).timeTask(t), task));
    console.log(JSON.stringify({ extension: withExtension, debugger: debuggerFile, realm: 'page', before: pageTimes }));
    for (const script of scripts) {
      for (const kind of kinds) {
        if (kind === 'service' && script === 'late') continue; // a service worker cannot import once installed
        const result = await measureWorker(page, base, kind, script);
        console.log(JSON.stringify({ realm: kind, script, ...result }));
      }
    }
  } finally {
    await browser.close();
    server.close();
    rmSync(extensionDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
