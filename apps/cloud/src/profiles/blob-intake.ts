import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { InvalidParamError, SHA256_HEX } from '@cos/contracts';

export class BlobTooLargeError extends InvalidParamError {}

/**
 * Receives one blob as it streams in: into a temporary file in `tmpDir`, hashed and counted on
 * the way, never held in memory. A blob over `maxBytes` is cut off at once; one whose bytes do
 * not hash to `sha256` is refused. Either way nothing is left behind. A `gzipped` source is
 * decompressed first: the bound and the hash are the blob's own (a small bomb is cut off too).
 */
export async function receiveBlob(
  source: Readable,
  sha256: string,
  maxBytes: number,
  tmpDir: string,
  gzipped = false,
): Promise<{ path: string; size: number }> {
  // The hash names the temporary file: nothing but a hash may.
  if (!SHA256_HEX.test(sha256)) throw new InvalidParamError('sha256 must be 64 lower-case hex digits');
  await fs.mkdir(tmpDir, { recursive: true, mode: 0o700 });
  const path = join(tmpDir, `${sha256}.${randomUUID()}.part`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(new BlobTooLargeError(`The blob is larger than the window's profile may be (${maxBytes} bytes)`));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    if (gzipped) await pipeline(source, createGunzip(), meter, createWriteStream(path, { mode: 0o600 }));
    else await pipeline(source, meter, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await fs.rm(path, { force: true });
    if (error instanceof InvalidParamError) throw error;
    throw new InvalidParamError(`The upload of blob ${sha256} broke off: ${(error as Error).message}`);
  }
  const actual = hash.digest('hex');
  if (actual !== sha256) {
    await fs.rm(path, { force: true });
    throw new InvalidParamError(`The bytes sent hash to ${actual}, not to ${sha256}: refused`);
  }
  return { path, size };
}
