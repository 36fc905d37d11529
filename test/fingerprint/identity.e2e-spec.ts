import type { Browser } from 'puppeteer-core';
import { findFirefox, firefoxMajorOf } from '@cos/server-common';
import { AgentHarness, startAgent } from '../support/agent-app';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, createWindow, registerOwner } from '../support/factories';
import { attach } from '../support/firefox';
import { detect, Detection, DetectorSite, startDetectorSite } from './detector-site';

jest.setTimeout(300_000);

const REALMS = [
  'page',
  'iframe',
  'blankIframe',
  'createdIframe',
  'dataIframe',
  'sandboxedIframe',
  'blobIframe',
  'dedicated',
  'shared',
  'blob',
  'service',
];

describe('a window is the device its fingerprint says, in every realm', () => {
  let cloud: CloudHarness;
  let agent: AgentHarness;
  let owner: Account;
  let site: DetectorSite;
  const major = firefoxMajorOf(findFirefox()!)!;

  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    owner = await registerOwner(cloud);
    site = await startDetectorSite();
    agent = await startAgent({ cloudUrl: cloud.url, env: { AGENT_HEADLESS: process.env.FINGERPRINT_HEADFUL ? '0' : '1' } });
    await agent.login(owner.email, owner.password);
  });
  afterAll(async () => {
    await agent.post('/browser/close/all').catch(() => undefined);
    await agent.close();
    await site.close();
    await cloud.close();
  });

  async function openAndDetect(uuid: string): Promise<{ open: any; seen: Detection }> {
    const open = await agent.post('/browser/open', { uuid });
    expect(open.code).toBe(0);
    const browser: Browser = await attach(open.data.wsEndpoint);
    try {
      const page = await browser.newPage();
      const seen = await detect(page, site.url);
      await page.close();
      return { open: open.data, seen };
    } finally {
      await browser.disconnect();
    }
  }

  it('shows a drawn Windows identity through Firefox switches, the same in pages, iframes and every worker kind', async () => {
    const drawn = await cloud.post(
      '/browser/fingerprint/random',
      { os: 'windows', locale: 'de-DE', timezone: 'Europe/Berlin' },
      owner.token,
    );
    const fingerprint = { ...drawn.data.browserFingerPrint, hardwareConcurrency: 1, resolution: '1600x900', fonts: ['Calibri', 'Century'] };
    const window = await createWindow(cloud, owner, { browserFingerPrint: fingerprint });
    const { open, seen } = await openAndDetect(window.uuid);
    expect(open.fingerprintAdjustments).toEqual([]);
    for (const realm of REALMS) {
      expect({ realm, ...seen.realms[realm] }).toMatchObject({
        realm,
        userAgent: `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${major}.0) Gecko/20100101 Firefox/${major}.0`,
        platform: 'Win32',
        appVersion: '5.0 (Windows)',
        languages: fingerprint.languages,
        hardwareConcurrency: 1,
        intlLocale: 'de',
        timeZone: 'Europe/Berlin',
        hourCycle: 'h23',
        dateString: expect.stringContaining('Mitteleuropäische Normalzeit'),
      });
    }
    for (const realm of REALMS.filter((name) => name === 'page' || name.endsWith('Iframe')))
      expect({ realm, webdriver: seen.realms[realm]!.webdriver }).toEqual({ realm, webdriver: false });
    expect(seen.fonts).toEqual(expect.arrayContaining(['Calibri', 'Century']));
    expect(seen.audioChannels).toBe(2);
    // Workers draw with the window's noise too, through natives left untouched.
    expect(seen.lies).toEqual([]);
    expect(seen.highEntropy.workerCanvas).toBe(seen.realms.page!.canvas);
    expect(seen.botd).toEqual({ bot: false });
  });

  it('shows a Linux identity with no lie: a family it lacks is settled the same in the page and its workers', async () => {
    const drawn = await cloud.post('/browser/fingerprint/random', { os: 'linux' }, owner.token);
    const window = await createWindow(cloud, owner, { browserFingerPrint: drawn.data.browserFingerPrint });
    const { seen } = await openAndDetect(window.uuid);
    // The probe draws "11pt Arial", which a Linux set answers with Liberation Sans as Debian does.
    expect(seen.lies).toEqual([]);
    expect(seen.highEntropy.workerCanvas).toBe(seen.realms.page!.canvas);
  });

  it('gives each window its own canvas, audio, client rects and visitorId, the same again after a reopen', async () => {
    const a = await createWindow(cloud, owner, { browserFingerPrint: { os: 'Win32', noiseSeed: '11111111111111111111111111111111' } });
    const b = await createWindow(cloud, owner, { browserFingerPrint: { os: 'Win32', noiseSeed: '22222222222222222222222222222222' } });
    const first = await openAndDetect(a.uuid);
    const other = await openAndDetect(b.uuid);
    await agent.post('/browser/close', { uuid: a.uuid });
    const again = await openAndDetect(a.uuid);
    for (const key of ['canvas', 'audio', 'audioAnalyser', 'audioLong', 'rects'] as const) {
      expect({ key, differs: first.seen.highEntropy[key] !== other.seen.highEntropy[key] }).toEqual({ key, differs: true });
      expect({ key, value: again.seen.highEntropy[key] }).toEqual({ key, value: first.seen.highEntropy[key] });
    }
    expect(first.seen.visitorId).not.toBe(other.seen.visitorId);
    expect(again.seen.visitorId).toBe(first.seen.visitorId);
  });

  it("runs a worker that never reads a canvas at the page's speed", async () => {
    const window = await createWindow(cloud, owner, { browserFingerPrint: { os: 'Win32' } });
    const open = await agent.post('/browser/open', { uuid: window.uuid });
    expect(open.code).toBe(0);
    const browser = await attach(open.data.wsEndpoint);
    try {
      const page = await browser.newPage();
      await page.goto(`${site.url}/frame.html`);
      // Integer work and native calls, the two a watched worker ran 20–1000x slower.
      const times = await page.evaluate(async () => {
        const work = () => {
          const start = performance.now();
          let x = 0;
          for (let i = 0; i < 4e6; i++) x = (Math.imul(x ^ (x >>> 3), 7) + Math.floor(i / 3)) | 0;
          return { ms: performance.now() - start, x };
        };
        const source = `const work = ${work.toString()};`;
        // Code evaluated through WebDriver runs many times slower: the page's copy is a page script.
        const script = document.createElement('script');
        script.textContent = `${source} window.pageWork = work;`;
        document.head.append(script);
        const pageWork = (window as unknown as { pageWork: typeof work }).pageWork;
        const worker = new Worker(URL.createObjectURL(new Blob([`${source} onmessage = () => postMessage(work());`])));
        // A watched worker took minutes: one that has not answered in 5 s counts as 5 s.
        const inWorker = () =>
          new Promise<number>((resolve) => {
            const timer = setTimeout(() => resolve(5000), 5000);
            worker.onmessage = (event) => {
              clearTimeout(timer);
              resolve(event.data.ms);
            };
            worker.postMessage(0);
          });
        const median = (values: number[]) => values.sort((a, b) => a - b)[2];
        const inPage: number[] = [];
        const inWorkerMs: number[] = [];
        for (let i = 0; i < 5; i++) {
          inPage.push(pageWork().ms);
          inWorkerMs.push(await inWorker());
        }
        worker.terminate();
        return { page: median(inPage), worker: median(inWorkerMs) };
      });
      // Generous: the machine is shared. Watched, the worker took 100x the page's time and more.
      expect(times.worker).toBeLessThan(Math.max(times.page * 3, 100));
      await page.close();
    } finally {
      await browser.disconnect();
      await agent.post('/browser/close', { uuid: window.uuid });
    }
  });

  it('opens an older window with a Chrome user agent and impossible keys as the nearest Firefox, and says so', async () => {
    const window = await createWindow(cloud, owner, { browserFingerPrint: { os: 'Win32' } });
    const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
    // What an earlier version stored without checking.
    await cloud.db.query(`UPDATE windows SET fingerprint = $1 WHERE id = $2`, [
      JSON.stringify({
        userAgent: chrome,
        coreVersion: '118',
        platform: 'MacIntel',
        deviceMemory: 8,
        canvasNoise: 0.2,
        hardwareConcurrency: 64,
      }),
      window.id,
    ]);
    const { open, seen } = await openAndDetect(window.uuid);
    const fields = open.fingerprintAdjustments.map((a: { field: string }) => a.field).sort();
    expect(fields).toEqual(['canvasNoise', 'coreVersion', 'deviceMemory', 'hardwareConcurrency', 'platform', 'userAgent']);
    expect(open.fingerprintAdjustments.find((a: { field: string }) => a.field === 'userAgent')).toMatchObject({
      asked: chrome,
      applied: `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${major}.0) Gecko/20100101 Firefox/${major}.0`,
    });
    expect(seen.realms.page).toMatchObject({ platform: 'Win32', userAgent: expect.stringContaining(`Firefox/${major}.0`) });
    expect(seen.botd).toEqual({ bot: false });
    expect(seen.lies).toEqual([]);
  });

  it('draws a headful window on an Xvfb display of its screen size, with the claimed GPU in WebGL', async () => {
    const headful = await startAgent({ cloudUrl: cloud.url, env: { AGENT_HEADLESS: '0', DISPLAY: '' } });
    try {
      await headful.login(owner.email, owner.password);
      const fingerprint = {
        os: 'MacIntel',
        resolution: '1440x900',
        webglVendor: 'Apple',
        webglRenderer: 'Apple M1, or similar',
        languages: ['ja-JP', 'ja'],
        timezone: 'Asia/Tokyo',
      };
      const window = await createWindow(cloud, owner, { browserFingerPrint: fingerprint });
      const open = await headful.post('/browser/open', { uuid: window.uuid });
      expect(open.code).toBe(0);
      const browser = await attach(open.data.wsEndpoint);
      try {
        const page = await browser.newPage();
        const seen = await detect(page, site.url);
        const gl = await page.evaluate(() => {
          const context = document.createElement('canvas').getContext('webgl')!;
          const info = context.getExtension('WEBGL_debug_renderer_info')!;
          return {
            vendor: context.getParameter(info.UNMASKED_VENDOR_WEBGL),
            renderer: context.getParameter(info.UNMASKED_RENDERER_WEBGL),
            masked: context.getParameter(context.RENDERER),
            screen: [screen.width, screen.height],
            deviceWidth: matchMedia('(device-width: 1440px) and (device-height: 900px)').matches,
          };
        });
        expect(gl).toEqual({
          vendor: 'Apple',
          renderer: 'Apple M1, or similar',
          masked: 'Apple M1, or similar',
          screen: [1440, 900],
          deviceWidth: true,
        });
        expect(seen.realms.page).toMatchObject({ platform: 'MacIntel', intlLocale: 'ja', timeZone: 'Asia/Tokyo' });
        expect(seen.botd).toEqual({ bot: false });
        expect(seen.lies).toEqual([]);
      } finally {
        await browser.disconnect();
        await headful.post('/browser/close', { uuid: window.uuid });
      }
    } finally {
      await headful.close();
    }
  });
});
