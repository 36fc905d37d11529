import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

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
