import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, promises as fs, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { CloudUnreachableError, isFinalRefusal } from '@cos/cloud-client';
import { DomainError, isSignedXpi, profileFileVerdict, ResultCode, SHA256_HEX, UnauthorizedError } from '@cos/contracts';
import type { ApiEnvelope, StoredCookie, SyncSettings } from '@cos/contracts';
import { AgentCloud } from '../cloud/agent-cloud';
import { AgentConfig } from '../config/agent-config';
import { writePrivate } from '../identity/agent-files';
import { BlobMismatchError, describeFiles, inside, ManifestFile, SeenFile, writeVerified, zipEntryNames } from './profile-files';

/** What a close commits: the profile as it was hashed at the close, on top of the version it was opened on. */
export interface CommitPlan {
  commitId: string;
  baseVersion: number | null;
  profileDir: string;
  sync: SyncSettings;
  files: SeenFile[];
}

export type PushResult =
  | { state: 'done'; version: number; uploadedBytes: number; skippedBytes: number; duplicate: boolean; unchanged: boolean }
  /** The cloud could not take it now: retried. */
  | { state: 'pending'; error: string }
  /** Refused for good (a stale base, a blob that changed): the cloud's versions stay as they are. */
  | { state: 'refused'; error: string };

export interface PullResult {
  version: number;
  files: number;
  /** Entries of the manifest that were not written (not synced data, not a hash, outside the profile, unsigned). */
  leftOut: number;
  downloadedBytes: number;
  reusedBytes: number;
  /** From asking for the manifest to the profile swapped in. */
  ms: number;
}

/** The version this device's copy of a window's profile was made from, and its files as last seen. */
interface LocalState {
  version: number | null;
  files: SeenFile[];
}

class RefusedError extends Error {}

/** Whether the plan's files are exactly those of the local state's version (same paths, same contents). */
function sameFiles(state: LocalState | null, plan: CommitPlan): boolean {
  if (!state || state.version !== plan.baseVersion || state.files.length !== plan.files.length) return false;
  const before = new Map(state.files.map((f) => [f.path, f]));
  return plan.files.every((f) => before.get(f.path)?.sha256 === f.sha256 && before.get(f.path)?.size === f.size);
}

/** Why an entry of a fetched manifest is not written into the profile, or null. */
function manifestEntryProblem(file: unknown, sync: SyncSettings): string | null {
  const entry = file as Partial<ManifestFile> | null;
  if (typeof entry?.path !== 'string') return 'it names no path';
  if (typeof entry.sha256 !== 'string' || !SHA256_HEX.test(entry.sha256)) return `its sha256 ${JSON.stringify(entry.sha256)} is not a hash`;
  if (typeof entry.size !== 'number' || !Number.isSafeInteger(entry.size) || entry.size < 0) return 'its size is not a byte count';
  const verdict = profileFileVerdict(entry.path, sync);
  return verdict.synced ? null : verdict.reason;
}

export class ProfileFetchError extends DomainError {
  constructor(uuid: string, version: number, reason: string) {
    super(
      ResultCode.Unavailable,
      `The profile of window ${uuid} (version ${version}) could not be fetched: ${reason}; the local profile is untouched`,
    );
  }
}

/**
 * Roaming profiles on this device. At a close the synced files are hashed (unchanged files keep
 * their recorded hash) and committed on top of the version the window was opened on, uploading
 * only the blobs the cloud lacks. At an open a newer cloud version is fetched: files this device
 * already holds are copied, the rest downloaded and verified, the profile assembled in a
 * temporary folder and swapped in whole.
 */
@Injectable()
export class ProfileSync {
  private readonly logger = new Logger(ProfileSync.name);

  constructor(
    private readonly config: AgentConfig,
    private readonly cloud: AgentCloud,
  ) {
    for (const dir of ['profile-state', 'blob-cache']) mkdirSync(config.path(dir), { recursive: true, mode: 0o700 });
  }

  localVersion(uuid: string): number | null {
    return this.state(uuid)?.version ?? null;
  }

  async prepare(uuid: string, profileDir: string, files: string[], sync: SyncSettings): Promise<CommitPlan> {
    const state = this.state(uuid);
    return {
      commitId: randomUUID(),
      baseVersion: state?.version ?? null,
      profileDir,
      sync,
      files: await describeFiles(profileDir, files, state?.files),
    };
  }

  /** Uploads what the cloud lacks and commits; `cookies` (the close's) are stored with the version. */
  async push(uuid: string, plan: CommitPlan, cookies?: StoredCookie[], cookiesEpoch?: number): Promise<PushResult> {
    const sizes = new Map(plan.files.map((f) => [f.sha256, f.size]));
    const total = [...sizes.values()].reduce((sum, size) => sum + size, 0);
    // Nothing changed since the version this copy was opened from: no version, no upload (the close still reports the cookies).
    if (plan.baseVersion !== null && sameFiles(this.state(uuid), plan)) {
      this.save(uuid, { version: plan.baseVersion, files: plan.files });
      return { state: 'done', version: plan.baseVersion, uploadedBytes: 0, skippedBytes: total, duplicate: false, unchanged: true };
    }
    try {
      const { missing } = this.expect<{ missing: string[] }>(
        await this.cloud.call('/browser/profile/blobs/missing', { uuid, sha256s: [...sizes.keys()] }),
      );
      // Bytes sent (compressed), and the size of the files they carry.
      let uploadedBytes = 0;
      let uploadedFiles = 0;
      for (const sha256 of missing) {
        const file = plan.files.find((f) => f.sha256 === sha256)!;
        uploadedBytes += await this.uploadBlob(uuid, join(plan.profileDir, file.path), sha256);
        uploadedFiles += file.size;
      }
      const committed = this.expect<{ version: number; duplicate: boolean }>(
        await this.cloud.call('/browser/profile/commit', {
          uuid,
          commitId: plan.commitId,
          baseVersion: plan.baseVersion,
          sync: plan.sync,
          ...(cookies ? { cookies } : {}),
          ...(cookies && cookiesEpoch !== undefined ? { cookiesEpoch } : {}),
          files: plan.files.map(({ path, size, sha256 }) => ({ path, size, sha256 })),
        }),
      );
      this.save(uuid, { version: committed.version, files: plan.files });
      return {
        state: 'done',
        version: committed.version,
        uploadedBytes,
        skippedBytes: total - uploadedFiles,
        duplicate: committed.duplicate,
        unchanged: false,
      };
    } catch (error) {
      if (error instanceof RefusedError) return { state: 'refused', error: error.message };
      if (error instanceof CloudUnreachableError || error instanceof UnauthorizedError) return { state: 'pending', error: error.message };
      // The profile changed or vanished under the upload: this commit can never be made.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'refused', error: (error as Error).message };
      return { state: 'pending', error: (error as Error).message };
    }
  }

  /**
   * Sends one blob gzipped (a fresh places.sqlite is 5 MB of mostly empty pages), from a
   * compressed copy beside the blob cache so its length is known; answers the bytes sent.
   */
  private async uploadBlob(uuid: string, path: string, sha256: string): Promise<number> {
    const packed = inside(this.config.path('blob-cache'), `${sha256}.${randomUUID()}.gz`);
    try {
      await pipeline(createReadStream(path), createGzip({ level: 6 }), createWriteStream(packed, { mode: 0o600 }));
      const { size } = await fs.stat(packed);
      this.expect(
        await this.cloud.upload(
          `/browser/profile/blob?uuid=${uuid}&sha256=${sha256}`,
          () => Readable.toWeb(createReadStream(packed)) as ReadableStream<Uint8Array>,
          size,
          'gzip',
        ),
      );
      return size;
    } finally {
      await fs.rm(packed, { force: true });
    }
  }

  /**
   * Brings the local profile to the cloud's `current` version when it is older (or missing); null
   * when it is up to date. The manifest is not trusted: an entry that is not profile data this
   * window syncs (`sync`), names no hash, or would land outside the profile is left out and logged,
   * and an extension package without a signature is not written.
   */
  async pull(uuid: string, profileDir: string, current: number | null, sync: SyncSettings): Promise<PullResult | null> {
    if (current === null) return null;
    const state = this.state(uuid);
    if (state?.version === current && existsSync(profileDir)) return null;
    const started = Date.now();
    const manifest = await this.cloud.data<{ version: number; files: ManifestFile[] }>('/browser/profile/manifest', { uuid });
    const stage = `${profileDir}.pull-${randomUUID()}`;
    const fetched: string[] = [];
    try {
      // Made up front: a version with no file this window syncs is an empty profile, not a failure.
      await fs.mkdir(stage, { recursive: true, mode: 0o700 });
      const local = await this.trustedLocalFiles(profileDir, state);
      const kept = new Map<string, ManifestFile>();
      let downloadedBytes = 0;
      let reusedBytes = 0;
      const leaveOut = (file: unknown, reason: string) =>
        this.logger.warn(
          `window ${uuid}, version ${manifest.version}: ${JSON.stringify((file as { path?: unknown } | null)?.path ?? file)} left out: ${reason}`,
        );
      for (const file of manifest.files) {
        const refusal = manifestEntryProblem(file, sync);
        if (refusal || kept.has(file.path)) {
          leaveOut(file, refusal ?? 'listed twice');
          continue;
        }
        const target = inside(stage, file.path);
        await fs.mkdir(dirname(target), { recursive: true, mode: 0o700 });
        const from = local.get(file.sha256);
        if (from) {
          await fs.copyFile(from, target);
          reusedBytes += file.size;
        } else {
          const cached = inside(this.config.path('blob-cache'), file.sha256);
          if (!existsSync(cached)) {
            const download = await this.cloud.download(`/browser/profile/blob?uuid=${uuid}&sha256=${file.sha256}`);
            if (!download.ok) throw new BlobMismatchError(`blob ${file.sha256}: ${download.answer.code} ${download.answer.msg}`);
            await writeVerified(Readable.fromWeb(download.body as WebReadableStream<Uint8Array>), cached, file.sha256, file.size);
            fetched.push(cached);
            downloadedBytes += file.size;
          }
          await fs.copyFile(cached, target);
          local.set(file.sha256, cached);
        }
        if (file.path.endsWith('.xpi') && !isSignedXpi((await zipEntryNames(target)) ?? [])) {
          await fs.rm(target, { force: true });
          leaveOut(file, 'an extension package without a Mozilla signature');
          continue;
        }
        kept.set(file.path, { path: file.path, size: file.size, sha256: file.sha256 });
      }
      const old = `${profileDir}.old-${randomUUID()}`;
      if (existsSync(profileDir)) await fs.rename(profileDir, old);
      await fs.rename(stage, profileDir);
      await fs.rm(old, { recursive: true, force: true });
      const seen: SeenFile[] = [];
      for (const file of kept.values()) seen.push({ ...file, mtimeMs: (await fs.stat(join(profileDir, file.path))).mtimeMs });
      this.save(uuid, { version: manifest.version, files: seen });
      return {
        version: manifest.version,
        files: kept.size,
        leftOut: manifest.files.length - kept.size,
        downloadedBytes,
        reusedBytes,
        ms: Date.now() - started,
      };
    } catch (error) {
      await fs.rm(stage, { recursive: true, force: true });
      if (error instanceof DomainError) throw error;
      if (error instanceof CloudUnreachableError) throw new DomainError(ResultCode.Unavailable, error.message);
      this.logger.warn(`fetching version ${manifest.version} of window ${uuid} failed: ${(error as Error).message}`);
      throw new ProfileFetchError(uuid, manifest.version, (error as Error).message);
    } finally {
      await Promise.all(fetched.map((path) => fs.rm(path, { force: true })));
    }
  }

  /** Files of the local profile still as the last commit or fetch left them, by hash. */
  private async trustedLocalFiles(profileDir: string, state: LocalState | null): Promise<Map<string, string>> {
    const local = new Map<string, string>();
    if (!state || !existsSync(profileDir)) return local;
    for (const file of state.files) {
      const path = join(profileDir, file.path);
      const stat = await fs.stat(path).catch(() => null);
      if (stat && stat.size === file.size && stat.mtimeMs === file.mtimeMs) local.set(file.sha256, path);
    }
    return local;
  }

  private expect<T = Record<string, unknown>>(answer: ApiEnvelope<unknown>): T {
    if (answer.code === 0) return answer.data as T;
    const message = `${answer.code} ${answer.msg}`;
    if (isFinalRefusal(answer.code)) throw new RefusedError(message);
    throw new Error(message);
  }

  private state(uuid: string): LocalState | null {
    try {
      return JSON.parse(readFileSync(this.stateFile(uuid), 'utf8')) as LocalState;
    } catch {
      return null;
    }
  }

  private save(uuid: string, state: LocalState): void {
    writePrivate(this.stateFile(uuid), JSON.stringify(state));
  }

  private stateFile(uuid: string): string {
    return this.config.path('profile-state', `${uuid}.json`);
  }
}
