import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';

const SITE = join(__dirname, 'site');
const MODULES = join(__dirname, '..', '..', 'node_modules', '@fingerprintjs');

/** Files the detection site serves: its own pages and scripts, FingerprintJS and BotD from node_modules. */
const FILES: Record<string, string> = {
  '/': join(SITE, 'index.html'),
  '/frame.html': join(SITE, 'frame.html'),
  '/detector.js': join(SITE, 'detector.js'),
  '/realm-probe.js': join(SITE, 'realm-probe.js'),
  '/worker.js': join(SITE, 'worker.js'),
  '/fp.umd.min.js': join(MODULES, 'fingerprintjs', 'dist', 'fp.umd.min.js'),
  '/botd.esm.js': join(MODULES, 'botd', 'dist', 'botd.esm.js'),
};

export interface DetectorSite {
  url: string;
  close(): Promise<void>;
}

/** A detection site on 127.0.0.1: nothing leaves the machine. */
export async function startDetectorSite(): Promise<DetectorSite> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/echo') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ headers: req.headers }));
      return;
    }
    const file = FILES[path];
    if (!file) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('Content-Type', file.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8');
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Detection {
  lies: string[];
  realms: Record<string, Record<string, unknown> | null>;
  visitorId: string;
  botd: { bot?: boolean; botKind?: string; error?: string };
  highEntropy: Record<'canvas' | 'audio' | 'audioAnalyser' | 'audioLong' | 'webgl' | 'fonts' | 'rects' | 'workerCanvas', string | null>;
  components: Record<string, string>;
  fonts: string[] | null;
  /**
   * FingerprintJS's audio value: the sum it takes of a rendered signal, or one of its negative
   * markers when it took none (-3: the render did not finish in its 500 ms, as on a loaded machine).
   */
  audioValue: number | null;
  audioChannels: number;
}

/** Loads the detection site in a page of a window and runs every check. */
export async function detect(page: Page, siteUrl: string): Promise<Detection> {
  await page.goto(siteUrl, { waitUntil: 'load' });
  return (await page.evaluate('detect()')) as Detection;
}
