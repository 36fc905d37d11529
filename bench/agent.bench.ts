/**
 * The agent against a bare puppeteer-core launch of the same kind of profile, in one run: open and
 * close latency, zip time and size for a heavy profile, and the agent's memory with ten windows;
 * then the proxy bridge against a client straight to the same proxy (bench/proxy-bridge.bench.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { CloudClient } from '@cos/cloud-client';
import { archiveProfile } from '../apps/local-agent/src/browser/profile-archive';
import { loadAgentConfig } from '../apps/local-agent/src/config/agent-config';
import { FileSessionStore, LocalToken } from '../apps/local-agent/src/identity/agent-files';
import { benchProxyBridge } from './proxy-bridge.bench';
import { fillHeavyProfile, freshDatabase, localApi, ms, ratio, registerBenchAccount, startProcess, stats, table, timed } from './support';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const CLOUD_PORT = 3911;
const AGENT_PORT = 54399;
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'cos_bench_agent';
const ALL_SYNCED = {
  syncCookies: true,
  syncLocalStorage: true,
  syncIndexedDB: true,
  syncHistory: true,
  syncBookmarks: true,
  syncPasswords: true,
  syncExtensions: true,
};

async function main(): Promise<void> {
  const databaseUrl = await freshDatabase(ADMIN_URL, DB_NAME);
  const work = mkdtempSync(join(tmpdir(), 'cos-bench-agent-'));
  const cloudUrl = `http://127.0.0.1:${CLOUD_PORT}`;
  const agentUrl = `http://127.0.0.1:${AGENT_PORT}`;
  const env = { AGENT_DATA_DIR: join(work, 'agent'), AGENT_PORT: String(AGENT_PORT), CLOUD_URL: cloudUrl, AGENT_HEADLESS: '1' };

  const cloud = await startProcess(
    'dist/apps/cloud/apps/cloud/src/main.js',
    { DATABASE_URL: databaseUrl, CLOUD_PORT: String(CLOUD_PORT), CLOUD_DATA_DIR: join(work, 'cloud') },
    `${cloudUrl}/health`,
  );
  const agent = await startProcess('dist/apps/local-agent/apps/local-agent/src/main.js', env, `${agentUrl}/health`);
  const config = loadAgentConfig({ ...process.env, ...env });
  try {
    const cloudApi = new CloudClient(cloudUrl, new FileSessionStore(config));
    await registerBenchAccount(cloudUrl);
    await cloudApi.login('bench@example.com', 'bench-password');
    const token = new LocalToken(config).current();
    const local = localApi(agentUrl, token);
    const newWindow = async (name: string) =>
      (
        await cloudApi.call<{ uuid: string }>('/browser/update', {
          name,
          browserFingerPrint: { languages: ['en-US'], timezone: 'Europe/Berlin' },
        })
      ).data.uuid;

    // Open/close rounds on one window whose profile exists after the first open.
    const uuid = await newWindow('rounds');
    await local('/browser/open', { uuid });
    await local('/browser/close', { uuid });
    const opens: number[] = [];
    const closes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      opens.push((await timed(() => local('/browser/open', { uuid })))[0]);
      closes.push((await timed(() => local('/browser/close', { uuid })))[0]);
    }

    // The same kind of profile, driven by puppeteer-core alone; then the zip of it, alone.
    const bareProfile = join(work, 'bare-profile');
    const bareLaunch = () =>
      puppeteer.launch({ browser: 'firefox', executablePath: config.firefoxPath, headless: true, userDataDir: bareProfile });
    await (await bareLaunch()).close();
    const bareOpens: number[] = [];
    const bareCloses: number[] = [];
    const bareZips: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const [openMs, browser] = await timed(bareLaunch);
      bareOpens.push(openMs);
      bareCloses.push((await timed(() => browser.close()))[0]);
      bareZips.push((await timed(() => archiveProfile(bareProfile, join(work, 'bare.zip'), ALL_SYNCED)))[0]);
    }

    const open = stats(opens);
    const close = stats(closes);
    const bareOpen = stats(bareOpens);
    const bareClose = stats(bareCloses);
    const bareCloseZip = stats(bareCloses.map((c, i) => c + bareZips[i]));
    console.log(`\nopen/close, ${ROUNDS} rounds each, existing profile`);
    table([
      {
        step: 'agent open',
        median: ms(open.p50),
        p90: ms(open.p90),
        'bare puppeteer': ms(bareOpen.p50),
        ratio: ratio(open.p50, bareOpen.p50),
        target: '<= 1.15x',
      },
      {
        step: 'agent close (zip + cookies + cloud)',
        median: ms(close.p50),
        p90: ms(close.p90),
        'bare puppeteer': `${ms(bareClose.p50)} + zip ${ms(stats(bareZips).p50)}`,
        ratio: ratio(close.p50, bareCloseZip.p50),
        target: '<= 1.5x',
      },
    ]);

    // A heavy profile: 5,000 cookies and 20 MB of site storage.
    const heavy = await newWindow('heavy');
    const opened = await local('/browser/open', { uuid: heavy });
    const browser = await puppeteer.connect({ browserWSEndpoint: opened.wsEndpoint, protocol: 'webDriverBiDi' });
    const page = await browser.newPage();
    await page.goto(`${cloudUrl}/health`);
    await fillHeavyProfile(browser, page);
    await browser.disconnect();
    const [heavyCloseMs, heavyClose] = await timed(() => local('/browser/close', { uuid: heavy }));
    const heavyProfile = heavyClose.close.profileZipPath
      .replace('uploaded-profile-zips', 'browser-cache/firefox-profiles')
      .replace(/\.zip$/, '');
    const [zipMs, zip] = await timed(() => archiveProfile(heavyProfile, join(work, 'heavy.zip'), ALL_SYNCED));
    const launched = await cloudApi.call<{ cookies: unknown[] }>('/browser/launch', { uuid: heavy, deviceId: 'bench-inspect' });
    console.log(`\nheavy profile: 5,000 cookies + 20 MB IndexedDB`);
    table([
      { what: 'zip alone', time: ms(zipMs), size: `${(zip.size / 1048576).toFixed(1)} MB`, files: zip.files.length },
      {
        what: 'agent close (zip + 5,000 cookies to the cloud)',
        time: ms(heavyCloseMs),
        size: `${(heavyClose.close.profileZipSize / 1048576).toFixed(1)} MB`,
        files: `${launched.data.cookies.length} cookies stored`,
      },
    ]);
    await cloudApi.call('/browser/open-status/update', { uuid: heavy, deviceId: 'bench-inspect', status: 'closed' });

    // The agent's own memory with ten windows open.
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${agent.pid}/status`, 'utf8'))![1]) / 1024;
    const idle = rss();
    const ten = await Promise.all(Array.from({ length: 10 }, (_, i) => newWindow(`memory ${i}`)));
    for (const w of ten) await local('/browser/open', { uuid: w });
    const running = (await local('/browser/pids', {})).list.length;
    const loaded = rss();
    console.log(`\nagent memory (RSS): idle ${idle.toFixed(0)} MB, with ${running} windows open ${loaded.toFixed(0)} MB (target < 150 MB)`);
    await local('/browser/close/all', {});

    const verdicts: [string, boolean][] = [
      ['open <= 1.15x bare launch', open.p50 <= 1.15 * bareOpen.p50],
      ['close <= 1.5x bare close + zip', close.p50 <= 1.5 * bareCloseZip.p50],
      ['agent memory < 150 MB with 10 windows', loaded < 150],
      ...(await benchProxyBridge()),
    ];
    for (const [target, met] of verdicts) console.log(`${met ? 'met    ' : 'MISSED '} ${target}`);
  } finally {
    agent.kill('SIGTERM');
    cloud.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
