import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import type { OsFamily } from '@cos/contracts';
import { backingFont, fontSetOf, GENERIC_FONTS } from '@cos/contracts';

const run = promisify(execFile);

/** Debian family → its font files (TrueType/OpenType only: the Type 1 copies would double every face). */
let installed: Promise<Map<string, string[]>> | null = null;

function installedFonts(): Promise<Map<string, string[]>> {
  installed ??= run('fc-list', ['--format', '%{family[0]}\t%{file}\n'], { timeout: 15_000, maxBuffer: 8 * 1024 * 1024 })
    .then(({ stdout }) => {
      const byFamily = new Map<string, string[]>();
      for (const line of stdout.split('\n')) {
        const [family, file] = line.split('\t');
        if (!family || !file || !/\.(ttf|otf)$/i.test(file)) continue;
        byFamily.set(family, [...new Set([...(byFamily.get(family) ?? []), file])]);
      }
      // Debian may hold two releases of one family (fonts-liberation and fonts-liberation2): keep one face per file name, the newer.
      for (const [family, files] of byFamily) {
        const newestFirst = [...files].sort((a, b) => b.localeCompare(a));
        byFamily.set(
          family,
          newestFirst.filter((f, i) => newestFirst.findIndex((g) => basename(g) === basename(f)) === i),
        );
      }
      return byFamily;
    })
    .catch((error: Error) => {
      installed = null;
      throw error;
    });
  return installed;
}

/**
 * A Linux desktop answers "Arial", "Times New Roman" or "Courier New" with its metric-compatible
 * fonts (Debian's fontconfig rules). Without them a page and a worker settled a missing family
 * differently, and the same drawing read otherwise in the two: a lie no switch told.
 */
const METRIC_ALIASES = '  <include ignore_missing="yes">/etc/fonts/conf.d/30-metric-aliases.conf</include>';

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A fontconfig configuration showing exactly the window's families: the OS's own and its optional
 * ones, each drawn by a Debian font and renamed at scan time, so pages (and `local()` in
 * @font-face) see "Arial" or "Calibri" and never "Liberation Sans" or "Carlito". One folder per
 * font set, reused by every window with the same set; its cache is built by the first Firefox.
 * Returns the file for FONTCONFIG_FILE and the families it could not back (fonts not installed).
 */
export async function prepareFontConfig(
  root: string,
  os: OsFamily,
  optional: readonly string[],
): Promise<{ file: string; missing: string[] }> {
  const families = fontSetOf(os, optional);
  const key = createHash('sha256')
    .update(`v2\n${os}\n${families.join('\n')}`)
    .digest('hex')
    .slice(0, 20);
  const dir = join(root, key);
  const file = join(dir, 'fonts.conf');
  const index = await installedFonts();
  const missing = families.filter((f) => !index.has(backingFont(f)));
  if (
    await fs.stat(file).then(
      () => true,
      () => false,
    )
  )
    return { file, missing };

  const building = `${dir}.${process.pid}.${Date.now()}`;
  await fs.mkdir(join(building, 'fonts'), { recursive: true });
  const rules: string[] = [];
  let n = 0;
  for (const family of families) {
    const files = index.get(backingFont(family));
    if (!files) continue;
    const folder = `f${n++}`;
    await fs.mkdir(join(building, 'fonts', folder));
    for (const source of files) await fs.symlink(source, join(building, 'fonts', folder, basename(source)));
    const name = xml(family);
    const postscript = xml(family.replace(/\s+/g, ''));
    rules.push(`  <match target="scan">
    <test name="file" compare="contains"><string>/fonts/${folder}/</string></test>
    <edit name="family" mode="assign_replace"><string>${name}</string></edit>
    <edit name="fullname" mode="assign_replace"><plus><string>${name} </string><name>style</name></plus></edit>
    <edit name="postscriptname" mode="assign_replace"><plus><string>${postscript}-</string><name>style</name></plus></edit>
  </match>
  <match target="scan">
    <test name="file" compare="contains"><string>/fonts/${folder}/</string></test>
    <test name="style" compare="eq"><string>Regular</string></test>
    <edit name="fullname" mode="assign_replace"><string>${name}</string></edit>
  </match>`);
  }
  const generics = Object.entries(GENERIC_FONTS[os])
    .map(
      ([generic, family]) =>
        `  <alias binding="strong"><family>${generic}</family><prefer><family>${xml(family)}</family></prefer></alias>`,
    )
    .join('\n');
  const conf = `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>${xml(join(dir, 'fonts'))}</dir>
  <cachedir>${xml(join(dir, 'cache'))}</cachedir>
${os === 'linux' ? METRIC_ALIASES : ''}
${rules.join('\n')}
${generics}
  <match target="font"><edit name="antialias" mode="assign"><bool>true</bool></edit><edit name="hintstyle" mode="assign"><const>hintslight</const></edit></match>
</fontconfig>
`;
  await fs.writeFile(join(building, 'fonts.conf'), conf);
  // The folder appears whole or not at all: two windows opening at once with the same set race here.
  await fs.rename(building, dir).catch(async () => fs.rm(building, { recursive: true, force: true }));
  return { file, missing };
}
