import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { BrowserProxy } from '@cos/proxy-kit';
import { WORKER_EXPERIMENT } from './worker-extension';

/**
 * Answers the window's own proxy bridge, and nothing else, with the credentials it demands: a
 * site's challenge (or another proxy's) gets nothing from here.
 */
function bridgeAnswerScript(bridge: BrowserProxy & { auth: NonNullable<BrowserProxy['auth']> }): string {
  return `const BRIDGE = ${JSON.stringify({ host: bridge.host, port: bridge.port })};
const CREDENTIALS = ${JSON.stringify(bridge.auth)};
browser.webRequest.onAuthRequired.addListener(
  (details) =>
    details.isProxy && details.challenger.host === BRIDGE.host && details.challenger.port === BRIDGE.port ? { authCredentials: CREDENTIALS } : {},
  { urls: ['<all_urls>'] },
  ['blocking'],
);
`;
}

/**
 * Writes the extension that runs the page-realm script (see page-realm.ts) at document_start in
 * every frame, about:blank ones included, before any page script. It is a content script, not a
 * MAIN-world one, so that what it installs in the page is native to the page (`exportFunction`).
 * For a window behind a bridge it also answers the bridge's challenge with its credentials.
 * `workerFiles` (worker-extension.ts) carry the same noise into the window's workers.
 */
export async function writeFingerprintExtension(
  dir: string,
  contentScript: string,
  proxy: BrowserProxy | null = null,
  workerFiles: Record<string, string> = {},
): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const bridge = proxy?.auth ? { ...proxy, auth: proxy.auth } : null;
  const manifest = {
    manifest_version: 2,
    name: 'cos window fingerprint',
    version: '1.0',
    browser_specific_settings: { gecko: { id: 'fingerprint@cos.local' } },
    content_scripts: [
      {
        matches: ['<all_urls>'],
        js: ['fingerprint.js'],
        run_at: 'document_start',
        all_frames: true,
        match_about_blank: true,
        match_origin_as_fallback: true,
      },
    ],
    ...(Object.keys(workerFiles).length ? { experiment_apis: WORKER_EXPERIMENT } : {}),
    ...(bridge ? { permissions: ['webRequest', 'webRequestBlocking', '<all_urls>'], background: { scripts: ['bridge.js'] } } : {}),
  };
  await fs.writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  await fs.writeFile(join(dir, 'fingerprint.js'), contentScript);
  for (const [path, text] of Object.entries(workerFiles)) {
    await fs.mkdir(join(dir, path, '..'), { recursive: true, mode: 0o700 });
    await fs.writeFile(join(dir, path), text);
  }
  if (bridge) await fs.writeFile(join(dir, 'bridge.js'), bridgeAnswerScript(bridge), { mode: 0o600 });
}
