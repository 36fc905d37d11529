import { promises as fs } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes the extension that runs the page-realm script (see page-realm.ts) at document_start in
 * every frame, about:blank ones included, before any page script. It is a content script, not a
 * MAIN-world one, so that what it installs in the page is native to the page (`exportFunction`).
 */
export async function writeFingerprintExtension(dir: string, contentScript: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const manifest = {
    manifest_version: 2,
    name: 'cos window fingerprint',
    version: '1.0',
    browser_specific_settings: { gecko: { id: 'fingerprint@cos.local' } },
    content_scripts: [
      { matches: ['<all_urls>'], js: ['fingerprint.js'], run_at: 'document_start', all_frames: true, match_about_blank: true },
    ],
  };
  await fs.writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  await fs.writeFile(join(dir, 'fingerprint.js'), contentScript);
}
