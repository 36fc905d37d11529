import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, promises as fs, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { CloudUnreachableError, isFinalRefusal } from '@cos/cloud-client';
import { DomainError, ResultCode, UnauthorizedError } from '@cos/contracts';
import type { ApiEnvelope, StoredCookie, SyncSettings } from '@cos/contracts';
import { AgentCloud } from '../cloud/agent-cloud';
import { AgentConfig } from '../config/agent-config';
import { writePrivate } from '../identity/agent-files';
import { BlobMismatchError, describeFiles, ManifestFile, SeenFile, writeVerified } from './profile-files';

/** What a close commits: the profile as it was hashed at the close, on top of the version it was opened on. */
export interface CommitPlan {
  commitId: string;
  baseVersion: number | null;
  profileDir: string;
  sync: SyncSettings;
  files: SeenFile[];
}

export type PushResult =
  | { state: 'done'; version: number; uploadedBytes: number; skippedBytes: number; duplicate: boolean }
  /** The cloud could not take it now: retried. */
  | { state: 'pending'; error: string }
  /** Refused for good (a stale base, a blob that changed): the cloud's versions stay as they are. */
  | { state: 'refused'; error: string };

export interface PullResult {
  version: number;
  files: number;
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
    try {
      const sizes = new Map(plan.files.map((f) => [f.sha256, f.size]));
      const { missing } = this.expect<{ missing: string[] }>(
        await this.cloud.call('/browser/profile/blobs/missing', { uuid, sha256s: [...sizes.keys()] }),
      );
      let uploadedBytes = 0;
      for (const sha256 of missing) {
        const file = plan.files.find((f) => f.sha256 === sha256)!;
        const path = join(plan.profileDir, file.path);
        this.expect(
          await this.cloud.upload(
            `/browser/profile/blob?uuid=${uuid}&sha256=${sha256}`,
            () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
            file.size,
          ),
        );
        uploadedBytes += file.size;
      }
      const total = [...sizes.values()].reduce((sum, size) => sum + size, 0);
      const committed = this.expect<{ version: number; duplicate: boolean }>(
        await this.cloud.call('/browser/profile/commit', {
          uuid,
          deviceId: this.cloud.deviceId,
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
        skippedBytes: total - uploadedBytes,
        duplicate: committed.duplicate,
      };
    } catch (error) {
      if (error instanceof RefusedError) return { state: 'refused', error: error.message };
      if (error instanceof CloudUnreachableError || error instanceof UnauthorizedError) return { state: 'pending', error: error.message };
      // The profile changed or vanished under the upload: this commit can never be made.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'refused', error: (error as Error).message };
      return { state: 'pending', error: (error as Error).message };
    }
  }

  /** Brings the local profile to the cloud's `current` version when it is older (or missing); null when it is up to date. */
  async pull(uuid: string, profileDir: string, current: number | null): Promise<PullResult | null> {
    if (current === null) return null;
    const state = this.state(uuid);
    if (state?.version === current && existsSync(profileDir)) return null;
    const started = Date.now();
    const manifest = await this.cloud.data<{ version: number; files: ManifestFile[] }>('/browser/profile/manifest', { uuid });
    const stage = `${profileDir}.pull-${randomUUID()}`;
    const fetched: string[] = [];
    try {
      const local = await this.trustedLocalFiles(profileDir, state);
      let downloadedBytes = 0;
      let reusedBytes = 0;
      for (const file of manifest.files) {
        const target = resolve(stage, file.path);
        if (!target.startsWith(`${resolve(stage)}${sep}`))
          throw new BlobMismatchError(`the manifest names ${file.path}, outside the profile`);
        await fs.mkdir(join(target, '..'), { recursive: true, mode: 0o700 });
        const from = local.get(file.sha256);
        if (from) {
          await fs.copyFile(from, target);
          reusedBytes += file.size;
          continue;
        }
        const cached = this.config.path('blob-cache', file.sha256);
        if (!existsSync(cached)) {
          const download = await this.cloud.download(
            `/browser/profile/blob?uuid=${uuid}&sha256=${file.sha256}&deviceId=${encodeURIComponent(this.cloud.deviceId)}`,
          );
          if (!download.ok) throw new BlobMismatchError(`blob ${file.sha256}: ${download.answer.code} ${download.answer.msg}`);
          await writeVerified(Readable.fromWeb(download.body as WebReadableStream<Uint8Array>), cached, file.sha256, file.size);
          fetched.push(cached);
          downloadedBytes += file.size;
        }
        await fs.copyFile(cached, target);
        local.set(file.sha256, cached);
      }
      const old = `${profileDir}.old-${randomUUID()}`;
      if (existsSync(profileDir)) await fs.rename(profileDir, old);
      await fs.rename(stage, profileDir);
      await fs.rm(old, { recursive: true, force: true });
      const seen: SeenFile[] = [];
      for (const file of manifest.files) seen.push({ ...file, mtimeMs: (await fs.stat(join(profileDir, file.path))).mtimeMs });
      this.save(uuid, { version: manifest.version, files: seen });
      return { version: manifest.version, files: manifest.files.length, downloadedBytes, reusedBytes, ms: Date.now() - started };
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
