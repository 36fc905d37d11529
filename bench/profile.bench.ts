/**
 * Roaming profiles, measured in one run beside the bare operations on the same data: a profile
 * of 5,000 cookies and 20 MB of IndexedDB synced for the first time; a second close after one
 * cookie changed (bytes uploaded against the whole profile, time beside the bare zip the close
 * also makes); and an open on a fresh device (the fetch: manifest, downloads, verification,
 * assembly) beside a bare extraction of the same files from a zip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { CloudClient } from '@cos/cloud-client';
import { archiveProfile, restoreProfile } from '../apps/local-agent/src/browser/profile-archive';
import { loadAgentConfig } from '../apps/local-agent/src/config/agent-config';
import { FileSessionStore, LocalToken } from '../apps/local-agent/src/identity/agent-files';
import { fillHeavyProfile, freshDatabase, localApi, ms, ratio, registerBenchAccount, startProcess, stats, table, timed } from './support';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CLOUD_PORT = 3915;
const PORTS = [54393, 54394];
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ALL_SYNCED = {
  syncCookies: true,
  syncLocalStorage: true,
  syncIndexedDB: true,
  syncHistory: true,
  syncBookmarks: true,
  syncPasswords: true,
  syncExtensions: true,
};
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(2)} MB`;

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'cos-bench-profile-'));
  const cloudUrl = `http://127.0.0.1:${CLOUD_PORT}`;
  const cloud = await startProcess(
    'dist/apps/cloud/apps/cloud/src/main.js',
    {
      DATABASE_URL: await freshDatabase(ADMIN_URL, 'cos_bench_profile'),
      CLOUD_PORT: String(CLOUD_PORT),
      CLOUD_DATA_DIR: join(work, 'cloud'),
    },
    `${cloudUrl}/health`,
  );
  await registerBenchAccount(cloudUrl);
  const devices = await Promise.all(
    PORTS.map(async (port, i) => {
      const env = { AGENT_DATA_DIR: join(work, `device-${i}`), AGENT_PORT: String(port), CLOUD_URL: cloudUrl, AGENT_HEADLESS: '1' };
      const config = loadAgentConfig({ ...process.env, ...env });
      await new CloudClient(cloudUrl, new FileSessionStore(config)).login('bench@example.com', 'bench-password');
      const child = await startProcess('dist/apps/local-agent/apps/local-agent/src/main.js', env, `http://127.0.0.1:${port}/health`);
      const token = new LocalToken(config).current();
      const local = localApi(`http://127.0.0.1:${port}`, token);
      return { child, local, dataDir: env.AGENT_DATA_DIR };
    }),
  );
  const [a, b] = devices;
  try {
    const api = new CloudClient(
      cloudUrl,
      new FileSessionStore(loadAgentConfig({ ...process.env, AGENT_DATA_DIR: join(work, 'device-0') })),
    );
    const { uuid } = (await api.call<{ uuid: string }>('/browser/update', { name: 'heavy', config: ALL_SYNCED })).data;
    const profileA = join(a.dataDir, 'browser-cache', 'firefox-profiles', uuid);
    const profileB = join(b.dataDir, 'browser-cache', 'firefox-profiles', uuid);

    // A fresh profile, opened and closed with nothing done: its first version, then idle closes that make none.
    const fresh = (await api.call<{ uuid: string }>('/browser/update', { name: 'fresh', config: ALL_SYNCED })).data.uuid;
    await a.local('/browser/open', { uuid: fresh });
    const [freshMs, freshClose] = await timed(() => a.local('/browser/close', { uuid: fresh }));
    const freshSync = freshClose.close.profileSync as { uploadedBytes: number; skippedBytes: number };
    for (let i = 0; i < 3; i++) {
      await a.local('/browser/open', { uuid: fresh });
      await a.local('/browser/close', { uuid: fresh });
    }
    const freshVersions = (await api.call<{ list: unknown[] }>('/browser/profile/versions', { uuid: fresh })).data.list.length;
    console.log(
      `fresh profile: first close ${ms(freshMs)}, ${freshSync.uploadedBytes} bytes uploaded; ${freshVersions} version(s) after 3 idle cycles`,
    );

    // The heavy profile: 5,000 cookies over 50 sites and 20 MB of IndexedDB that does not compress.
    const opened = await a.local('/browser/open', { uuid });
    const browser = await puppeteer.connect({ browserWSEndpoint: opened.wsEndpoint, protocol: 'webDriverBiDi' });
    const page = await browser.newPage();
    await page.goto(`${cloudUrl}/health`);
    await fillHeavyProfile(browser, page);
    await browser.disconnect();
    const [firstMs, first] = await timed(() => a.local('/browser/close', { uuid }));
    const firstSync = first.close.profileSync as { version: number; uploadedBytes: number; skippedBytes: number };
    const [zipMs, zip] = await timed(() => archiveProfile(profileA, join(work, 'bare.zip'), ALL_SYNCED));

    // Closes after one cookie changed.
    const closes: number[] = [];
    const zips: number[] = [];
    let uploaded = 0;
    let total = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const again = await a.local('/browser/open', { uuid });
      const script = await puppeteer.connect({ browserWSEndpoint: again.wsEndpoint, protocol: 'webDriverBiDi' });
      await script.setCookie({
        name: 'c0',
        value: `changed-${i}`,
        domain: 'site0.example',
        path: '/',
        expires: Math.floor(Date.now() / 1000) + 86400,
      });
      await script.disconnect();
      const [closeMs, closed] = await timed(() => a.local('/browser/close', { uuid }));
      closes.push(closeMs);
      zips.push((await timed(() => archiveProfile(profileA, join(work, `bare-${i}.zip`), ALL_SYNCED)))[0]);
      uploaded = closed.close.profileSync.uploadedBytes;
      total = closed.close.profileSync.uploadedBytes + closed.close.profileSync.skippedBytes;
    }

    // Opens on a fresh device: B has no copy; each round starts from nothing again.
    const fetches: number[] = [];
    const extractions: number[] = [];
    let downloaded = 0;
    for (let i = 0; i < ROUNDS; i++) {
      rmSync(profileB, { recursive: true, force: true });
      rmSync(join(b.dataDir, 'profile-state', `${uuid}.json`), { force: true });
      const fresh = await b.local('/browser/open', { uuid });
      fetches.push(fresh.profileSync.fetchMs as number);
      downloaded = fresh.profileSync.downloadedBytes as number;
      await b.local('/browser/close', { uuid });
      extractions.push((await timed(() => restoreProfile(join(work, 'bare.zip'), join(work, `extracted-${i}`))))[0]);
    }

    const close = stats(closes);
    const bareZip = stats(zips);
    const fetch = stats(fetches);
    const extraction = stats(extractions);
    console.log(`\nRoaming profile: 5,000 cookies + 20 MB IndexedDB (${mb(total)} in ${zip.files.length} files), ${ROUNDS} rounds\n`);
    table([
      {
        measure: 'first close of a fresh profile (nothing done)',
        agent: `${ms(freshMs)}, ${mb(freshSync.uploadedBytes)} uploaded (gzipped)`,
        bare: '–',
        ratio: '–',
        target: 'upload < 2 MB',
      },
      {
        measure: 'first sync (close, everything uploaded)',
        agent: `${ms(firstMs)}, ${mb(firstSync.uploadedBytes)} uploaded`,
        bare: `zip ${ms(zipMs)}`,
        ratio: ratio(firstMs, zipMs),
        target: '–',
      },
      {
        measure: 'close after one cookie changed',
        agent: `p50 ${ms(close.p50)}, ${mb(uploaded)} uploaded (${((100 * uploaded) / total).toFixed(1)}% of the profile)`,
        bare: `zip p50 ${ms(bareZip.p50)}`,
        ratio: ratio(close.p50, bareZip.p50),
        target: 'upload < 10%',
      },
      {
        measure: 'open on a fresh device: fetch and assemble',
        agent: `p50 ${ms(fetch.p50)}, ${mb(downloaded)} downloaded and verified`,
        bare: `unzip p50 ${ms(extraction.p50)}`,
        ratio: ratio(fetch.p50, extraction.p50),
        target: '<= 1.5x',
      },
    ]);
    console.log(`${freshSync.uploadedBytes < 2 * 1048576 ? 'met    ' : 'MISSED '} first close of a fresh profile uploads < 2 MB`);
    console.log(
      `${freshVersions === 1 ? 'met    ' : 'MISSED '} three idle open/close cycles after it make no version (${freshVersions} in all)`,
    );
    console.log(`${uploaded / total < 0.1 ? 'met    ' : 'MISSED '} upload after one cookie changed < 10% of the profile`);
    console.log(`${fetch.p50 <= 1.5 * extraction.p50 ? 'met    ' : 'MISSED '} fresh-device fetch <= 1.5x bare extraction`);
  } finally {
    for (const device of devices) device.child.kill('SIGTERM');
    cloud.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
