import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { DomainError, ResultCode } from '@cos/contracts';

/**
 * Content-addressed storage of profile blobs: each blob is kept under its sha256. The store
 * only moves bytes; whether a blob's bytes match its hash is checked before it gets here
 * (`BlobIntake`), and who may read it is the database's business.
 */
export interface BlobStore {
  readonly kind: 'fs' | 's3';
  has(sha256: string): Promise<boolean>;
  /** Stores the verified file at `path` under its hash; the file is consumed (moved or uploaded, then removed). */
  putFile(sha256: string, path: string, size: number): Promise<void>;
  /** The blob's bytes, or null when the store has no such blob. */
  open(sha256: string): Promise<Readable | null>;
  delete(sha256: string): Promise<void>;
}

export const BLOB_STORE = Symbol('BLOB_STORE');

/** The blob store failed (S3 away, disk full): nothing was done, the caller may try again. */
export class BlobStoreUnavailableError extends DomainError {
  constructor(cause: unknown) {
    super(ResultCode.Unavailable, `The profile store does not answer: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Runs a store operation; its failure is the store's, told as such (503), never an unexpected error. */
export async function fromStore<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new BlobStoreUnavailableError(error);
  }
}

/** Blobs as files under `root/ab/cd/<sha256>`, written by renaming a finished file into place. */
export class FsBlobStore implements BlobStore {
  readonly kind = 'fs';

  constructor(private readonly root: string) {}

  private path(sha256: string): string {
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    return fs.stat(this.path(sha256)).then(
      () => true,
      () => false,
    );
  }

  async putFile(sha256: string, path: string, _size: number): Promise<void> {
    const target = this.path(sha256);
    await fs.mkdir(dirname(target), { recursive: true, mode: 0o700 });
    // Same bytes under the same name: a rename over an existing blob changes nothing.
    try {
      await fs.rename(path, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      // The store is on another file system than the upload: copied beside the blob, then renamed.
      const copy = `${target}.${randomUUID()}.tmp`;
      await fs.copyFile(path, copy);
      await fs.rename(copy, target);
      await fs.rm(path, { force: true });
    }
  }

  async open(sha256: string): Promise<Readable | null> {
    const path = this.path(sha256);
    if (!(await this.has(sha256))) return null;
    return createReadStream(path);
  }

  async delete(sha256: string): Promise<void> {
    await fs.rm(this.path(sha256), { force: true });
  }
}

export interface S3Settings {
  endpoint?: string;
  region: string;
  bucket: string;
  forcePathStyle: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  prefix: string;
}

/**
 * Blobs as objects `<prefix><sha256>` in an S3-compatible bucket. Nothing here depends on
 * conditional writes: two uploads of one hash write the same bytes, and deletions are
 * serialised with uploads by the database (`ProfileBlobs`), not by the store.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      // Plain bodies: checksummed (aws-chunked) uploads are not understood by every S3-compatible server.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(settings.accessKeyId && settings.secretAccessKey
        ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
        : {}),
    });
  }

  private key(sha256: string): { Bucket: string; Key: string } {
    return { Bucket: this.settings.bucket, Key: `${this.settings.prefix}${sha256}` };
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand(this.key(sha256)));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async putFile(sha256: string, path: string, size: number): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          ...this.key(sha256),
          Body: createReadStream(path),
          ContentLength: size,
          ContentType: 'application/octet-stream',
        }),
      );
    } finally {
      await fs.rm(path, { force: true });
    }
  }

  async open(sha256: string): Promise<Readable | null> {
    try {
      const answer = await this.client.send(new GetObjectCommand(this.key(sha256)));
      return answer.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand(this.key(sha256)));
  }

  destroy(): void {
    this.client.destroy();
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}
