/**
 * Automation costs beside bare puppeteer-core, in one run on one machine: a script's command round
 * trip through the agent's BiDi multiplexer beside the same client connected straight to a
 * Firefox of its own; `/browser/eval` and `/browser/screenshot` over the Local API beside the
 * same operation through bare puppeteer-core. Rounds alternate between the two sides, so load
 * on the machine falls on both alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { Page } from 'puppeteer-core';
import { CloudClient } from '@cos/cloud-client';
import { loadAgentConfig } from '../apps/local-agent/src/config/agent-config';
import { FileSessionStore, LocalToken } from '../apps/local-agent/src/identity/agent-files';
import { freshDatabase, localApi, ms, ratio, registerBenchAccount, startProcess, stats, table, timed } from './support';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const SHOTS = Number(process.env.BENCH_SHOTS ?? 40);
const CLOUD_PORT = 3913;
const AGENT_PORT = 54397;
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A page with some text and layout, the same for both sides. */
const PAGE = `<!doctype html><html><head><title>bench</title></head><body>${Array.from(
  { length: 200 },
  (_, i) => `<p style="color:hsl(${i * 7},60%,40%)">Paragraph ${i}: the quick brown fox jumps over the lazy dog.</p>`,
).join('')}</body></html>`;

async function alternate(rounds: number, bare: () => Promise<unknown>, agent: () => Promise<unknown>) {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 5; i++) await Promise.all([bare(), agent()]).catch(() => undefined);
  for (let i = 0; i < rounds; i++) {
    a.push((await timed(bare))[0]);
    b.push((await timed(agent))[0]);
  }
  return { bare: stats(a), agent: stats(b) };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'cos-bench-automation-'));
  const site = createServer((_req, res) => res.end(PAGE));
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  const cloudUrl = `http://127.0.0.1:${CLOUD_PORT}`;
  const agentUrl = `http://127.0.0.1:${AGENT_PORT}`;
  const env = { AGENT_DATA_DIR: join(work, 'agent'), AGENT_PORT: String(AGENT_PORT), CLOUD_URL: cloudUrl, AGENT_HEADLESS: '1' };
  const cloud = await startProcess(
    'dist/apps/cloud/apps/cloud/src/main.js',
    {
      DATABASE_URL: await freshDatabase(ADMIN_URL, 'cos_bench_automation'),
      CLOUD_PORT: String(CLOUD_PORT),
      CLOUD_DATA_DIR: join(work, 'cloud'),
    },
    `${cloudUrl}/health`,
  );
  const agentProcess = await startProcess('dist/apps/local-agent/apps/local-agent/src/main.js', env, `${agentUrl}/health`);
  const config = loadAgentConfig({ ...process.env, ...env });
  const bareFirefox = await puppeteer.launch({
    browser: 'firefox',
    executablePath: config.firefoxPath,
    headless: true,
    userDataDir: join(work, 'bare'),
    defaultViewport: null,
  });
  try {
    await registerBenchAccount(cloudUrl);
    const cloudApi = new CloudClient(cloudUrl, new FileSessionStore(config));
    await cloudApi.login('bench@example.com', 'bench-password');
    const token = new LocalToken(config).current();
    const local = localApi(agentUrl, token);
    const { uuid } = (await cloudApi.call<{ uuid: string }>('/browser/update', { name: 'automation', config: {} })).data;
    const opened = await local('/browser/open', { uuid });
    await local('/browser/navigate', { uuid, url: siteUrl });

    const barePage: Page = (await bareFirefox.pages())[0] ?? (await bareFirefox.newPage());
    await barePage.goto(siteUrl);
    const script = await puppeteer.connect({ browserWSEndpoint: opened.wsEndpoint, protocol: 'webDriverBiDi', defaultViewport: null });
    const scriptPage = (await script.pages())[0];

    const roundTrip = await alternate(
      ROUNDS,
      () => barePage.evaluate('1'),
      () => scriptPage.evaluate('1'),
    );
    const evaluate = await alternate(
      ROUNDS,
      () => barePage.evaluate('document.title'),
      () => local('/browser/eval', { uuid, code: 'document.title' }),
    );
    // The Local API's own cost: an HTTP call that does no browser work, beside one that does.
    const http = await alternate(
      ROUNDS,
      () => local('/browser/pids', {}),
      () => local('/browser/eval', { uuid, code: 'document.title' }),
    );
    const shot = await alternate(
      SHOTS,
      () => barePage.screenshot({ encoding: 'base64' }),
      () => local('/browser/screenshot', { uuid }),
    );
    await script.disconnect();
    await local('/browser/close', { uuid });

    console.log(`\nAutomation, ${ROUNDS} rounds (screenshots ${SHOTS}), alternating bare and agent:\n`);
    table(
      [
        ['script command round trip (puppeteer page.evaluate("1"))', 'direct to Firefox', 'through the multiplexer', roundTrip],
        ['eval of document.title', 'puppeteer page.evaluate', 'POST /browser/eval', evaluate],
        ['Local API call without / with browser work', 'POST /browser/pids', 'POST /browser/eval', http],
        ['viewport screenshot, png as base64', 'puppeteer page.screenshot', 'POST /browser/screenshot', shot],
      ].map(([what, bareLabel, agentLabel, s]) => {
        const r = s as { bare: ReturnType<typeof stats>; agent: ReturnType<typeof stats> };
        return {
          operation: what as string,
          bare: `${bareLabel as string}: p50 ${ms(r.bare.p50)}, p99 ${ms(r.bare.p99)}`,
          agent: `${agentLabel as string}: p50 ${ms(r.agent.p50)}, p99 ${ms(r.agent.p99)}`,
          'p50 ratio': ratio(r.agent.p50, r.bare.p50),
          'mean ratio': ratio(r.agent.mean, r.bare.mean),
        };
      }),
    );
  } finally {
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
