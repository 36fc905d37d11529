/**
 * Aria snapshots for AI agents: the agent's snapshot of five saved real-world-like pages
 * (test/fixtures/snapshot-pages) in its Firefox window, beside Playwright's `ariaSnapshot` of the
 * same pages in Debian's Chromium (default mode, and the `ai` mode Playwright MCP answers with):
 * size in characters and in tokens (o200k, gpt-tokenizer), and time. Then an action by ref
 * (`POST /browser/act {ref, action: click}`) beside puppeteer's direct click on the same button in
 * a bare Firefox, rounds alternating between the two.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'gpt-tokenizer';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { CloudClient } from '@cos/cloud-client';
import { loadAgentConfig } from '../apps/local-agent/src/config/agent-config';
import { FileSessionStore, LocalToken } from '../apps/local-agent/src/identity/agent-files';
import { freshDatabase, localApi, ms, ratio, registerBenchAccount, startProcess, stats, table, timed } from './support';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const CLICKS = Number(process.env.BENCH_CLICKS ?? 100);
const CLOUD_PORT = 3914;
const AGENT_PORT = 54398;
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PAGES = join(__dirname, '..', 'test', 'fixtures', 'snapshot-pages');
const CLICK_PAGE = `<!doctype html><html><head><title>click</title></head><body><p>${'Filler text. '.repeat(50)}</p>
<button id="b" onclick="this.dataset.n = (+this.dataset.n || 0) + 1">Press</button></body></html>`;

const tokens = (text: string) => encode(text).length;
const num = (n: number) => n.toLocaleString('en-US');

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'cos-bench-snapshot-'));
  const files = readdirSync(PAGES).filter((f) => f.endsWith('.html'));
  const site = createServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(name === 'click' ? CLICK_PAGE : files.includes(name) ? readFileSync(join(PAGES, name)) : 'not found');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const cloudUrl = `http://127.0.0.1:${CLOUD_PORT}`;
  const agentUrl = `http://127.0.0.1:${AGENT_PORT}`;
  const env = { AGENT_DATA_DIR: join(work, 'agent'), AGENT_PORT: String(AGENT_PORT), CLOUD_URL: cloudUrl, AGENT_HEADLESS: '1' };
  const cloud = await startProcess(
    'dist/apps/cloud/apps/cloud/src/main.js',
    {
      DATABASE_URL: await freshDatabase(ADMIN_URL, 'cos_bench_snapshot'),
      CLOUD_PORT: String(CLOUD_PORT),
      CLOUD_DATA_DIR: join(work, 'cloud'),
    },
    `${cloudUrl}/health`,
  );
  const agentProcess = await startProcess('dist/apps/local-agent/apps/local-agent/src/main.js', env, `${agentUrl}/health`);
  const config = loadAgentConfig({ ...process.env, ...env });
  const chrome = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  const bareFirefox = await puppeteer.launch({
    browser: 'firefox',
    executablePath: config.firefoxPath,
    headless: true,
    userDataDir: join(work, 'bare'),
  });
  try {
    await registerBenchAccount(cloudUrl);
    const cloudApi = new CloudClient(cloudUrl, new FileSessionStore(config));
    await cloudApi.login('bench@example.com', 'bench-password');
    const local = localApi(agentUrl, new LocalToken(config).current());
    const { uuid } = (await cloudApi.call<{ uuid: string }>('/browser/update', { name: 'snapshot', config: {} })).data;
    await local('/browser/open', { uuid });
    const chromePage = await chrome.newPage({ viewport: { width: 1366, height: 768 } });

    const rows: Record<string, string>[] = [];
    for (const file of files) {
      await local('/browser/navigate', { uuid, url: `${siteUrl}/${file}` });
      await chromePage.goto(`${siteUrl}/${file}`);
      const ours = { full: [] as number[], interactive: [] as number[] };
      const theirs = { default: [] as number[], ai: [] as number[] };
      let full = '';
      let interactive = '';
      let pwDefault = '';
      let pwAi = '';
      for (let i = 0; i <= ROUNDS; i++) {
        const [a, s1] = await timed(() => local('/browser/snapshot', { uuid, maxChars: 2_000_000 }));
        const [b, s2] = await timed(() => local('/browser/snapshot', { uuid, interactiveOnly: true, maxChars: 2_000_000 }));
        const [c, p1] = await timed(() => chromePage.locator('body').ariaSnapshot());
        const [d, p2] = await timed(() => chromePage.ariaSnapshot({ mode: 'ai' }));
        // The first round warms both browsers up and is not counted.
        if (i === 0) continue;
        ours.full.push(a);
        ours.interactive.push(b);
        theirs.default.push(c);
        theirs.ai.push(d);
        full = (s1 as { snapshot: string }).snapshot;
        interactive = (s2 as { snapshot: string }).snapshot;
        pwDefault = p1;
        pwAi = p2;
      }
      rows.push({
        page: file.replace('.html', ''),
        'HTML KB': (readFileSync(join(PAGES, file)).length / 1024).toFixed(0),
        'cos full: chars / tokens': `${num(full.length)} / ${num(tokens(full))}`,
        'cos interactive-only: chars / tokens': `${num(interactive.length)} / ${num(tokens(interactive))}`,
        'Playwright ariaSnapshot: chars / tokens': `${num(pwDefault.length)} / ${num(tokens(pwDefault))}`,
        'Playwright ai mode (refs): chars / tokens': `${num(pwAi.length)} / ${num(tokens(pwAi))}`,
        'cos full / Playwright': ratio(tokens(full), tokens(pwDefault)),
        'cos p50 full / interactive': `${ms(stats(ours.full).p50)} / ${ms(stats(ours.interactive).p50)}`,
        'Playwright p50 default / ai': `${ms(stats(theirs.default).p50)} / ${ms(stats(theirs.ai).p50)}`,
      });
    }

    // An action by ref through the Local API beside puppeteer's direct click, alternating.
    await local('/browser/navigate', { uuid, url: `${siteUrl}/click` });
    const snapshot = (await local('/browser/snapshot', { uuid, interactiveOnly: true })) as { snapshot: string };
    const ref = /button "Press" \[ref=(e\d+)\]/.exec(snapshot.snapshot)![1];
    const barePage = (await bareFirefox.pages())[0] ?? (await bareFirefox.newPage());
    await barePage.goto(`${siteUrl}/click`);
    const button = (await barePage.$('#b'))!;
    const bare: number[] = [];
    const agent: number[] = [];
    for (let i = 0; i < CLICKS + 5; i++) {
      const [x] = await timed(() => button.click());
      const [y] = await timed(() => local('/browser/act', { uuid, ref, action: 'click' }));
      if (i < 5) continue;
      bare.push(x);
      agent.push(y);
    }
    const clicks = { bare: stats(bare), agent: stats(agent) };
    await local('/browser/close', { uuid });

    console.log(`\nSnapshots, p50 of ${ROUNDS} rounds each (sizes of the last), cos in firefox-esr, Playwright in Chromium:\n`);
    table(rows);
    console.log(`\nAction by ref, ${CLICKS} rounds alternating:\n`);
    table([
      {
        operation: 'click a button',
        'puppeteer ElementHandle.click() (bare Firefox)': `p50 ${ms(clicks.bare.p50)}, p99 ${ms(clicks.bare.p99)}`,
        'POST /browser/act {ref, action: click}': `p50 ${ms(clicks.agent.p50)}, p99 ${ms(clicks.agent.p99)}`,
        'p50 ratio': ratio(clicks.agent.p50, clicks.bare.p50),
        'mean ratio': ratio(clicks.agent.mean, clicks.bare.mean),
      },
    ]);
  } finally {
    await chrome.close().catch(() => undefined);
    await bareFirefox.close().catch(() => undefined);
    agentProcess.kill();
    cloud.kill();
    site.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
