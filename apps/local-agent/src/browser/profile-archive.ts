import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, promises as fs } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';
import { ZipFile } from 'yazl';
import { isSyncedProfileFile } from '@cos/contracts';
import type { SyncSettings } from '@cos/contracts';

/**
 * Folders that may hold synced files (see `SYNCED_PROFILE_FILES`); the rest of the profile
 * (caches, startup cache, safe-browsing lists, crash data, ...) is not even walked.
 */
const SYNCED_FOLDERS = ['storage/default', 'storage/permanent', 'bookmarkbackups', 'extensions', 'browser-extension-data'];

export interface ArchiveResult {
  path: string;
  name: string;
  size: number;
  sha256: string;
  files: string[];
}

async function walk(root: string, from: string, out: string[]): Promise<void> {
  const full = join(root, from);
  const stat = await fs.lstat(full).catch(() => null);
  if (!stat || stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    for (const entry of await fs.readdir(full)) await walk(root, join(from, entry), out);
  } else if (stat.isFile()) {
    out.push(from.split(sep).join('/'));
  }
}

/** The profile files the sync settings ask for: the top-level files and synced folders, through the one allowlist. */
export async function selectProfileFiles(profileDir: string, sync: SyncSettings): Promise<string[]> {
  const files: string[] = [];
  const top = await fs.readdir(profileDir, { withFileTypes: true }).catch(() => []);
  for (const entry of top) if (entry.isFile()) files.push(entry.name);
  for (const folder of SYNCED_FOLDERS) await walk(profileDir, folder, files);
  const synced = [...new Set(files)].filter((f) => isSyncedProfileFile(f, sync)).sort();
  // An empty write-ahead log holds nothing; Firefox leaves one behind at some exits and not at others.
  const empty = await Promise.all(synced.map(async (f) => f.endsWith('-wal') && (await fs.stat(join(profileDir, f))).size === 0));
  return synced.filter((_f, i) => !empty[i]);
}

/** What Firefox rebuilds by itself at the next start: its script and startup caches, its web cache. */
const REGENERATED = ['startupCache', 'cache2'];

/** Frees a full disk of what Firefox regenerates, so that the close's report still fits. */
export async function removeRegeneratedFiles(profileDir: string): Promise<void> {
  for (const folder of REGENERATED) await fs.rm(join(profileDir, folder), { recursive: true, force: true });
}

/** Zips the synced part of a profile atomically: into a temporary file, then renamed over the old zip (which a failure leaves alone). */
export async function archiveProfile(profileDir: string, zipPath: string, sync: SyncSettings): Promise<ArchiveResult> {
  const files = await selectProfileFiles(profileDir, sync);
  mkdirSync(dirname(zipPath), { recursive: true, mode: 0o700 });
  const tmp = `${zipPath}.${randomUUID()}.tmp`;
  const zip = new ZipFile();
  for (const file of files) zip.addFile(join(profileDir, file), file);
  zip.end();
  const hash = createHash('sha256');
  zip.outputStream.on('data', (chunk: Buffer) => hash.update(chunk));
  try {
    await pipeline(zip.outputStream, createWriteStream(tmp, { mode: 0o600 }));
    await fs.rename(tmp, zipPath);
  } catch (error) {
    // A zip cut short (a full disk) is removed: the last complete zip stays where it was.
    await fs.rm(tmp, { force: true });
    throw error;
  }
  const { size } = await fs.stat(zipPath);
  return { path: zipPath, name: zipPath.split(sep).pop()!, size, sha256: hash.digest('hex'), files };
}

/**
 * Rebuilds a profile folder from its zip: unpacked into a fresh temporary folder beside it (no
 * symlink or half-written file of an earlier attempt can redirect a write), then renamed into
 * place. Entries that would land outside the folder are skipped; an entry whose path runs into a
 * file (`lnk`, then `lnk/evil`), a corrupt or truncated zip fail the restore as a whole and leave
 * the profile folder as it was.
 */
export async function restoreProfile(zipPath: string, profileDir: string): Promise<number> {
  const tmp = `${profileDir}.restore-${randomUUID()}`;
  mkdirSync(tmp, { recursive: false, mode: 0o700 });
  try {
    const count = await unpackInto(zipPath, tmp);
    await fs.rm(profileDir, { recursive: true, force: true });
    await fs.rename(tmp, profileDir);
    return count;
  } catch (error) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** A profile zip that could not be restored at open: set aside, the window opened on a fresh profile. */
export interface RestoreProblem {
  restored: false;
  error: string;
  /** Where the zip was kept for inspection. */
  keptAt: string;
}

/**
 * Restores the profile from its zip when there is one. A zip that cannot be restored is renamed
 * aside (`<zip>.unreadable-<time>`), so the next open does not stumble on it again, and the
 * problem is answered instead of thrown: the window opens on a fresh profile.
 */
export async function restoreOrSetAside(zipPath: string, profileDir: string): Promise<RestoreProblem | null> {
  if (!existsSync(zipPath)) return null;
  try {
    await restoreProfile(zipPath, profileDir);
    return null;
  } catch (error) {
    const keptAt = `${zipPath}.unreadable-${Date.now()}`;
    await fs.rename(zipPath, keptAt);
    return { restored: false, error: (error as Error).message, keptAt };
  }
}

async function unpackInto(zipPath: string, dir: string): Promise<number> {
  const zip = await new Promise<yauzl.ZipFile>((ok, fail) => yauzl.open(zipPath, { lazyEntries: true }, (e, z) => (e ? fail(e) : ok(z))));
  let count = 0;
  try {
    await new Promise<void>((ok, fail) => {
      zip.on('error', fail);
      zip.on('end', ok);
      zip.on('entry', (entry: yauzl.Entry) => {
        // Everything in here runs inside yauzl's event: any throw must end this promise, not the process.
        try {
          const target = resolve(dir, entry.fileName);
          if (relative(dir, target).startsWith('..') || entry.fileName.endsWith('/')) {
            zip.readEntry();
            return;
          }
          mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
          zip.openReadStream(entry, (error, stream) => {
            if (error) return fail(error);
            pipeline(stream, createWriteStream(target, { flags: 'wx', mode: 0o600 }))
              .then(() => {
                count++;
                zip.readEntry();
              })
              .catch(fail);
          });
        } catch (error) {
          fail(error instanceof Error ? error : new Error(String(error)));
        }
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return count;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

export const profileExists = (dir: string) => existsSync(join(dir, 'prefs.js')) || existsSync(join(dir, 'times.json'));

/** A write failed for want of space (a full disk, a quota, a file size limit). */
export function isOutOfSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
}
