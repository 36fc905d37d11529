import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { timed } from './support';

/**
 * The least a first load can take on this machine, in the same browser and measured the same way
 * as the console: a bare page whose one module script makes one POST call and draws one row of its
 * answer (no framework, no session, no database). The console's time minus this is the console's own.
 */
export async function bareFloor(browser: Browser, settleMs: number): Promise<{ load: () => Promise<number>; close: () => void }> {
  const script = `fetch('/rows', { method: 'POST' }).then((r) => r.json()).then((rows) => {
    document.body.innerHTML = '<table><tbody><tr aria-rowindex="2"><td><button class="link"></button></td></tr></tbody></table>';
    document.querySelector('button').textContent = rows[0];
  });`;
  const server = createServer((request, response) => {
    if (request.url === '/bare.js') response.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
    else if (request.url === '/rows') response.writeHead(200, { 'Content-Type': 'application/json' }).end('["window 1"]');
    else
      response
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end('<!doctype html><html><head><script type="module" src="/bare.js"></script></head><body><p>Loading…</p></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  /** One load in a fresh context, its page left `settleMs` to finish starting: ms from navigation until its row shows. */
  const load = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.waitForTimeout(settleMs);
    const [loadMs] = await timed(async () => {
      await page.goto(url);
      await page.waitForFunction(() => document.querySelector('tr[aria-rowindex="2"] button.link') !== null, undefined, { polling: 'raf' });
    });
    await context.close();
    return loadMs;
  };
  return { load, close: () => server.close() };
}
