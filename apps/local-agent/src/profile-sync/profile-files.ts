import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';

/** One file of a profile version. */
export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

/** A file as this device last saw it: its hash holds while its size and modification time do. */
export interface SeenFile extends ManifestFile {
  mtimeMs: number;
}

export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * The manifest of `files` in `profileDir`. A file whose size and modification time are what
 * `seen` recorded keeps its recorded hash (as git's index does), so a close after a small change
 * reads only what changed.
 */
export async function describeFiles(profileDir: string, files: string[], seen: readonly SeenFile[] = []): Promise<SeenFile[]> {
  const known = new Map(seen.map((f) => [f.path, f]));
  const out: SeenFile[] = [];
  for (const path of files) {
    const full = join(profileDir, path);
    const stat = await fs.stat(full);
    const before = known.get(path);
    if (before && before.size === stat.size && before.mtimeMs === stat.mtimeMs) {
      out.push(before);
      continue;
    }
    const { sha256, size } = await hashFile(full);
    out.push({ path, size, sha256, mtimeMs: stat.mtimeMs });
  }
  return out;
}

export class BlobMismatchError extends Error {}

/**
 * Writes `source` to `target` through a temporary file, checking on the way that the bytes hash
 * to `sha256` and number `size`; a blob that does not is removed and refused, `target` untouched.
 */
export async function writeVerified(source: Readable, target: string, sha256: string, size: number): Promise<void> {
  await fs.mkdir(dirname(target), { recursive: true, mode: 0o700 });
  const tmp = `${target}.${randomUUID()}.part`;
  const hash = createHash('sha256');
  let count = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      count += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, createWriteStream(tmp, { mode: 0o600 }));
    const actual = hash.digest('hex');
    if (actual !== sha256 || count !== size) {
      throw new BlobMismatchError(`blob ${sha256} arrived as ${count} bytes hashing to ${actual}`);
    }
    await fs.rename(tmp, target);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

export class OutsideRootError extends Error {}

/** `root`/`relative`, refused unless it stays inside `root` (a name like `../local-token` or an absolute path does not). */
export function inside(root: string, relative: string): string {
  const base = resolve(root);
  const target = resolve(base, relative);
  if (!target.startsWith(`${base}${sep}`)) throw new OutsideRootError(`${relative} is outside ${base}`);
  return target;
}

/** The entry names of a zip (an .xpi), or null when it is not a readable zip. */
export async function zipEntryNames(path: string): Promise<string[] | null> {
  const zip = await new Promise<yauzl.ZipFile | null>((ok) => yauzl.open(path, { lazyEntries: true }, (e, z) => ok(e ? null : z)));
  if (!zip) return null;
  const names: string[] = [];
  try {
    return await new Promise<string[] | null>((ok) => {
      zip.on('error', () => ok(null));
      zip.on('end', () => ok(names));
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}
