/**
 * Windows drawn by the generator, tried as a detection site would (FingerprintJS, BotD and the lie
 * checks of test/fingerprint), headless and headful on Xvfb: lies per window, windows sharing a
 * high-entropy value, visitorId distinct across windows and stable across a reopen and across a
 * second device (another agent with its own data folder), BotD's verdict, and the open time beside
 * a bare Firefox launch. Everything runs on 127.0.0.1.
 *
 * BENCH_WINDOWS (default 20) windows; BENCH_STABLE (default 5) of them are reopened on each device;
 * BENCH_MODES (default "headless,xvfb").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { findFirefox } from '@cos/server-common';
import { prepareFontConfig } from '../apps/local-agent/src/browser/font-config';
import { startXvfb, stopXvfb } from '../apps/local-agent/src/browser/xvfb-display';
import { AgentHarness, startAgent } from '../test/support/agent-app';
import { startCloud } from '../test/support/cloud-app';
import { createWindow, registerOwner } from '../test/support/factories';
import { attach } from '../test/support/firefox';
import { detect, Detection, startDetectorSite } from '../test/fingerprint/detector-site';
import { ms, ratio, stats, table, timed } from './support';

const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 20);
const STABLE = Math.min(WINDOWS, Number(process.env.BENCH_STABLE ?? 5));
const MODES = (process.env.BENCH_MODES ?? 'headless,xvfb').split(',') as ('headless' | 'xvfb')[];
const HIGH_ENTROPY = ['canvas', 'audio', 'audioAnalyser', 'audioLong', 'webgl', 'fonts', 'rects', 'workerCanvas'] as const;

async function openAndDetect(agent: AgentHarness, uuid: string, siteUrl: string): Promise<{ openMs: number; seen: Detection }> {
  let [openMs, open] = await timed(() => agent.post('/browser/open', { uuid }));
  // On a loaded machine Firefox may miss its start deadline: one more try, counted in the time.
  if (open.code !== 0) {
    console.log(`open failed (${open.msg}); trying again`);
    const [again, retried] = await timed(() => agent.post('/browser/open', { uuid }));
    [openMs, open] = [openMs + again, retried];
  }
  if (open.code !== 0) throw new Error(`open: ${open.msg}`);
  const browser = await attach(open.data.wsEndpoint);
  try {
    const page = await browser.newPage();
    const seen = await detect(page, siteUrl);
    await page.close();
    return { openMs, seen };
  } finally {
    await browser.disconnect();
    await agent.post('/browser/close', { uuid });
  }
}

/** Firefox as puppeteer starts it with nothing of ours: the floor an open is measured against. */
async function bareLaunch(mode: 'headless' | 'xvfb'): Promise<number> {
  const display = mode === 'xvfb' ? await startXvfb(1920, 1080) : null;
  const profile = mkdtempSync(join(tmpdir(), 'cos-bench-bare-'));
  try {
    const [elapsed, browser] = await timed(() =>
      puppeteer.launch({
        browser: 'firefox',
        executablePath: findFirefox(),
        headless: mode === 'headless',
        userDataDir: profile,
        env: { ...process.env, ...(display ? { DISPLAY: display.display } : {}) },
      }),
    );
    await browser.close();
    return elapsed;
  } finally {
    stopXvfb(display?.pid);
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

async function benchMode(mode: 'headless' | 'xvfb') {
  const cloud = await startCloud({ listen: true });
  const site = await startDetectorSite();
  const owner = await registerOwner(cloud);
  const env = { AGENT_HEADLESS: mode === 'headless' ? '1' : '0', DISPLAY: '' };
  const deviceA = await startAgent({ cloudUrl: cloud.url, env });
  const deviceB = await startAgent({ cloudUrl: cloud.url, env });
  await deviceA.login(owner.email, owner.password);
  await deviceB.login(owner.email, owner.password);
  try {
    const windows = [];
    // A window created without a fingerprint gets one from the generator.
    for (let i = 0; i < WINDOWS; i++) windows.push(await createWindow(cloud, owner));
    const first: Detection[] = [];
    const opens: number[] = [];
    // Each open is paired with a bare launch right after it, so both meet the same load.
    const bare: number[] = [];
    for (const w of windows) {
      const { openMs, seen } = await openAndDetect(deviceA, w.uuid, site.url);
      opens.push(openMs);
      first.push(seen);
      bare.push(await bareLaunch(mode));
      console.log(
        `[${mode}] ${w.uuid.slice(0, 8)} open ${ms(openMs)} (bare ${ms(bare[bare.length - 1])}) lies ${seen.lies.length} bot ${seen.botd.bot} ${seen.lies.join('; ')}`,
      );
    }
    let reopenSame = 0;
    let otherDeviceSame = 0;
    for (let i = 0; i < STABLE; i++) {
      if ((await openAndDetect(deviceA, windows[i].uuid, site.url)).seen.visitorId === first[i].visitorId) reopenSame++;
      if ((await openAndDetect(deviceB, windows[i].uuid, site.url)).seen.visitorId === first[i].visitorId) otherDeviceSame++;
    }
    // FingerprintJS answers a negative marker when it took no audio value (-3: its render timed
    // out); windows with a marker are counted apart, not as windows sharing a value.
    const audioMissed = first.filter((d) => typeof d.audioValue !== 'number' || d.audioValue < 0);
    const measured = (d: Detection) => !audioMissed.includes(d);
    const shared = HIGH_ENTROPY.map((key) => {
      const values = first
        .filter((d) => key !== 'audio' || measured(d))
        .map((d) => d.highEntropy[key])
        .filter((v): v is string => v !== null);
      return `${key} ${values.length - new Set(values).size}`;
    });
    for (const d of audioMissed) console.log(`[${mode}] FingerprintJS took no audio value: ${d.audioValue}`);
    const lies = first.map((d) => d.lies.length);
    return {
      mode,
      windows: WINDOWS,
      'lies per window (max / total)': `${Math.max(...lies)} / ${lies.reduce((a, b) => a + b, 0)}`,
      'windows sharing a value': shared.join(', '),
      'audio not measured (FingerprintJS marker)': `${audioMissed.length}/${WINDOWS}`,
      'visitorId distinct': `${new Set(first.map((d) => d.visitorId)).size}/${WINDOWS}`,
      'same after reopen': `${reopenSame}/${STABLE}`,
      'same on 2nd device': `${otherDeviceSame}/${STABLE}`,
      'BotD bot=false': `${first.filter((d) => d.botd.bot === false).length}/${WINDOWS}`,
      'open p50 (bare launch p50)': `${ms(stats(opens).p50)} (${ms(stats(bare).p50)}) = ${ratio(stats(opens).p50, stats(bare).p50)}`,
      'open / bare, pair by pair (p50)': `${stats(opens.map((o, i) => o / bare[i])).p50.toFixed(2)}x`,
    };
  } finally {
    await deviceA.post('/browser/close/all').catch(() => undefined);
    await deviceB.post('/browser/close/all').catch(() => undefined);
    await deviceA.close();
    await deviceB.close();
    await site.close();
    await cloud.close();
  }
}

/** What each switch that is not a preference costs at open. */
async function switchCosts() {
  const root = mkdtempSync(join(tmpdir(), 'cos-bench-fonts-'));
  try {
    const [fontsFirst] = await timed(() => prepareFontConfig(root, 'windows', ['Calibri', 'Century', 'Marlett']));
    const [fontsAgain] = await timed(() => prepareFontConfig(root, 'windows', ['Calibri', 'Century', 'Marlett']));
    const [xvfbMs, display] = await timed(() => startXvfb(1920, 1080));
    stopXvfb(display.pid);
    return [
      { switch: 'font set (first window with it / later)', cost: `${ms(fontsFirst)} / ${ms(fontsAgain)}` },
      { switch: 'Xvfb display per window', cost: ms(xvfbMs) },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows = [];
  for (const mode of MODES) {
    rows.push(await benchMode(mode));
    table(rows.slice(-1));
  }
  table(rows);
  table(await switchCosts());
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
