/**
 * Long: commit, manifest, restore and download of roaming versions share the window lease check and
 * the version row; blob bytes live in profile-blobs.ts and blob-store.ts.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { checkCookies, ConflictError, InvalidParamError, NotFoundError, syncSettingsOf, WindowOpenElsewhereError } from '@cos/contracts';
import type { WindowRef } from '@cos/contracts';
import { AuditLog } from '../audit/audit-log';
import { SecretReads } from '../audit/secret-reads';
import { AuthContext } from '../access/auth-context';
import { CloudConfig } from '../config/cloud-config';
import { WindowAccess } from '../windows/window-access';
import { isHeld } from '../windows/window.views';
import { WindowEntity } from '../windows/window.entity';
import { WindowStore } from '../windows/window-store';
import { BlobQueryDto, CommitProfileDto, ManifestDto, MissingBlobsDto, ProfileFileDto, RestoreProfileDto } from './dto/profile.dto';
import { checkPath, checkSyncedFiles } from './profile-commit-checks';
import { ProfileBlobs } from './profile-blobs';
import { NewVersion, ProfileVersionStore, VersionRow } from './profile-version-store';

/**
 * A window's roaming profile as versions: commits that advance the current version by
 * compare-and-swap (a commit made on a version that is no longer current is 409 and changes
 * nothing), the list of versions, a version's manifest, and restoring an old version as a new
 * one. The last `PROFILE_VERSIONS_KEPT` versions of a window are kept.
 */
@Injectable()
export class ProfileVersionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: WindowAccess,
    private readonly windows: WindowStore,
    private readonly blobs: ProfileBlobs,
    private readonly config: CloudConfig,
    private readonly audit: AuditLog,
    private readonly reads: SecretReads,
    private readonly versionRows: ProfileVersionStore,
  ) {}

  async missing(auth: AuthContext, dto: MissingBlobsDto) {
    const window = await this.writable(auth, dto.windowRef);
    return { id: window.id, uuid: window.uuid, missing: await this.blobs.missing(auth.teamId, window.id, dto.sha256s) };
  }

  async upload(auth: AuthContext, query: BlobQueryDto, body: Readable, gzipped = false) {
    const window = await this.writable(auth, { uuid: query.uuid });
    const { size, stored } = await this.blobs.accept(
      auth.teamId,
      window.id,
      query.sha256,
      body,
      this.config.env.PROFILE_MAX_BYTES,
      gzipped,
    );
    return { sha256: query.sha256, size, stored };
  }

  async download(auth: AuthContext, query: BlobQueryDto) {
    const window = await this.writable(auth, { uuid: query.uuid });
    const blob = await this.blobs.openForWindow(window.id, query.sha256);
    if (!blob) throw new NotFoundError(`Blob ${query.sha256} is in no profile version of window ${window.uuid}`);
    try {
      await this.reads.profileDownloaded(auth, window.id, query.sha256);
    } catch (error) {
      // Not one byte leaves without its audit row.
      blob.stream.destroy();
      throw error;
    }
    return blob;
  }

  async commit(auth: AuthContext, dto: CommitProfileDto) {
    const cookies = dto.cookies ? checkCookies(dto.cookies) : undefined;
    const maxFiles = this.config.env.PROFILE_MAX_FILES;
    if (dto.files.length > maxFiles) {
      throw new InvalidParamError(
        `The profile lists ${dto.files.length} files; a window's profile version may list at most ${maxFiles} (PROFILE_MAX_FILES)`,
      );
    }
    const seen = new Set<string>();
    let totalSize = 0;
    dto.files.forEach((file, i) => {
      checkPath(file.path, `files[${i}]`);
      if (seen.has(file.path)) throw new InvalidParamError(`files[${i}].path ${file.path} is listed twice`);
      seen.add(file.path);
      totalSize += file.size;
    });
    const max = this.config.env.PROFILE_MAX_BYTES;
    if (totalSize > max)
      throw new InvalidParamError(`The profile is ${totalSize} bytes; a window's profile may be at most ${max} bytes (PROFILE_MAX_BYTES)`);
    return this.db.transaction(async (manager) => {
      const window = await this.access.requireWindow(manager, auth, { uuid: dto.uuid }, 'write');
      if (isHeld(window) && window.openDeviceId !== auth.deviceId) throw new WindowOpenElsewhereError(window.uuid);
      checkSyncedFiles(dto.files, syncSettingsOf(window.config));
      const again = await this.versionRows.byCommit(manager, window.id, dto.commitId);
      if (again) return { ...this.summary(again), duplicate: true };
      if (window.profileVersion !== dto.baseVersion) {
        throw new ConflictError(
          `Stale profile version: window ${window.uuid} is at version ${window.profileVersion ?? 'none'}, this commit was made on ${dto.baseVersion ?? 'none'}`,
        );
      }
      await this.checkBlobs(manager, window, dto.files);
      const epoch = await this.windows.cookiesEpoch(manager, window.id);
      // Cookies read in an older cookie epoch (replaced by an import since) do not become the stored ones.
      const freshCookies = dto.cookiesEpoch === undefined || dto.cookiesEpoch === epoch ? cookies : undefined;
      const row = await this.insertVersion(manager, window, auth, {
        commitId: dto.commitId,
        baseVersion: dto.baseVersion,
        restoredFrom: null,
        files: dto.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
        sync: dto.sync,
        // With the window's cookie sync on, the close's cookies go with its version: a stale commit stores neither.
        cookies: freshCookies && syncSettingsOf(window.config).syncCookies ? freshCookies : null,
        totalSize,
      });
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind: 'window.profile_committed',
        windowIds: [window.id],
        deviceId: auth.deviceId,
        data: { version: row.version, fileCount: row.file_count, totalSize },
      });
      return { ...this.summary(row), duplicate: false };
    });
  }

  async versions(auth: AuthContext, ref: WindowRef) {
    const window = await this.access.requireWindow(this.db.manager, auth, ref, 'read');
    const rows = await this.versionRows.list(window.id);
    return { id: window.id, uuid: window.uuid, current: window.profileVersion, list: rows.map((r) => this.summary(r)) };
  }

  async manifest(auth: AuthContext, dto: ManifestDto) {
    const window = await this.writable(auth, dto.windowRef);
    const version = dto.version ?? window.profileVersion;
    if (version === null) throw new NotFoundError(`Window ${window.uuid} has no profile version yet`);
    const row = await this.versionRows.at(window.id, version);
    if (!row) throw new NotFoundError(`Version ${version} of window ${window.uuid}'s profile is not kept`);
    return { id: window.id, uuid: window.uuid, current: window.profileVersion, ...this.summary(row), files: row.files };
  }

  /** A rollback is a new version equal to the old one: the versions after it stay listed. */
  async restore(auth: AuthContext, dto: RestoreProfileDto) {
    return this.db.transaction(async (manager) => {
      const window = await this.access.requireWindow(manager, auth, dto.windowRef, 'write');
      if (isHeld(window)) {
        throw new ConflictError(`Window ${window.uuid} is open on device ${window.openDeviceId}; close it before restoring its profile`);
      }
      const old = await this.versionRows.at(window.id, dto.version, manager);
      if (!old) throw new NotFoundError(`Version ${dto.version} of window ${window.uuid}'s profile is not kept`);
      const row = await this.insertVersion(manager, window, auth, {
        commitId: null,
        baseVersion: window.profileVersion,
        restoredFrom: old.version,
        files: old.files,
        sync: old.sync,
        cookies: old.cookies,
        totalSize: Number(old.total_size),
      });
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind: 'window.profile_restored',
        windowIds: [window.id],
        data: { version: row.version, restoredFrom: old.version },
      });
      return { id: window.id, uuid: window.uuid, ...this.summary(row) };
    });
  }

  async usage(auth: AuthContext) {
    const kept = await this.versionRows.usage(auth.teamId);
    const stored = await this.blobs.usage(auth.teamId);
    return {
      ...stored,
      ...kept,
      maxBytesPerWindow: this.config.env.PROFILE_MAX_BYTES,
    };
  }

  /** A window the caller may open (its scope for writing), looked up without locking it. */
  private writable(auth: AuthContext, ref: WindowRef): Promise<WindowEntity> {
    return this.access.requireWindow(this.db.manager, auth, ref, 'write', 'live', false);
  }

  /**
   * Every blob the files name must be one the window may name (in one of its kept versions, or
   * uploaded for it), with the size the manifest says; locked against collection. A blob only
   * another window holds is told apart from one nobody uploaded by nothing: knowing a hash reads nothing.
   */
  private async checkBlobs(manager: EntityManager, window: WindowEntity, files: ProfileFileDto[]): Promise<void> {
    const held = await this.blobs.windowHolds(manager, window.teamId, window.id, [...new Set(files.map((f) => f.sha256))]);
    const missing = files.findIndex((f) => !held.has(f.sha256));
    if (missing >= 0) {
      const file = files[missing];
      throw new InvalidParamError(
        `files[${missing}].path ${file.path}: blob ${file.sha256} was not uploaded for window ${window.uuid}; upload it, then commit again`,
      );
    }
    const wrong = files.findIndex((f) => held.get(f.sha256) !== f.size);
    if (wrong >= 0) throw new InvalidParamError(`files[${wrong}].size does not match the size of blob ${files[wrong].sha256}`);
  }

  private async insertVersion(
    manager: EntityManager,
    window: WindowEntity,
    auth: AuthContext,
    v: Omit<NewVersion, 'windowId' | 'teamId' | 'deviceId' | 'userId' | 'apiTokenId'>,
  ): Promise<VersionRow> {
    // The author is the caller and the device the cloud issued to their session or token.
    const row = await this.versionRows.insert(manager, {
      ...v,
      windowId: window.id,
      teamId: window.teamId,
      deviceId: auth.deviceId,
      userId: auth.userId,
      apiTokenId: auth.apiTokenId,
    });
    // A version that carries cookies makes them the window's stored cookies (a restore brings its own back).
    await this.windows.setProfileVersion(manager, window.id, row.version, v.cookies);
    // Only the newest versions are kept; their blobs' references go with them (collection frees the bytes).
    await this.versionRows.prune(manager, window.id, row.version, this.config.env.PROFILE_VERSIONS_KEPT);
    return row;
  }

  private summary(row: VersionRow) {
    return {
      version: row.version,
      baseVersion: row.base_version,
      restoredFrom: row.restored_from,
      deviceId: row.device_id,
      deviceName: row.device_name ?? null,
      createdBy: row.created_by,
      createdByEmail: row.created_by_email,
      // null: made before the cloud issued devices, when the device id was the client's own word.
      via: row.created_via,
      apiTokenId: row.api_token_id,
      fileCount: row.file_count,
      totalSize: Number(row.total_size),
      sync: row.sync,
      createdAt: new Date(row.created_at).toISOString(),
    };
  }
}
