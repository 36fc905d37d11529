import { execFileSync } from 'node:child_process';
import puppeteer from 'puppeteer-core';

/** Attaches Puppeteer to a window the agent opened, over the wsEndpoint it answered. */
export const attach = (wsEndpoint: string) =>
  puppeteer.connect({ browserWSEndpoint: wsEndpoint, protocol: 'webDriverBiDi', defaultViewport: null });

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Firefox main processes whose command line names `dataDir` (a profile folder or an agent's data folder). */
export function firefoxPids(dataDir: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter(
      (line) => line.includes('firefox') && line.includes(dataDir) && !line.includes('-contentproc') && !line.includes('crashreporter'),
    )
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}
