import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuthContext } from '../access/auth-context';
import { AuditLog } from './audit-log';
import { sessionLabel } from './audit-visibility';

/** A caller's downloads of one window's profile within this long make one audit row: a restore fetches a blob per file. */
const DOWNLOAD_ROW_EVERY_MS = 10 * 60_000;
const DOWNLOADS_REMEMBERED = 10_000;

/**
 * Reads of a window's secrets (its cookies, its profile's files) go into the audit trail: who,
 * which window, through which session or API token, and the device the cloud issued to it.
 */
@Injectable()
export class SecretReads {
  /** When each caller's downloads of a window were last recorded, by window, caller, credential and device. */
  private readonly downloads = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /** In the export's transaction: no cookies leave without their row. */
  async cookiesExported(manager: EntityManager, auth: AuthContext, windowId: number, count: number): Promise<void> {
    await this.audit.record(manager, {
      teamId: auth.teamId,
      actorId: auth.userId,
      kind: 'window.cookies_exported',
      windowIds: [windowId],
      deviceId: auth.deviceId,
      data: { count, ...this.credential(auth) },
    });
  }

  /** Before the blob is sent; the first download of a window by a caller in ten minutes writes the row. */
  async profileDownloaded(auth: AuthContext, windowId: number, sha256: string): Promise<void> {
    const key = [windowId, auth.userId, auth.sessionId ?? auth.token?.id, auth.deviceId].join('|');
    const last = this.downloads.get(key);
    if (last !== undefined && Date.now() - last < DOWNLOAD_ROW_EVERY_MS) return;
    await this.db.transaction(async (manager) => {
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind: 'window.profile_downloaded',
        windowIds: [windowId],
        deviceId: auth.deviceId,
        data: { firstSha256: sha256, ...this.credential(auth) },
      });
    });
    this.downloads.delete(key);
    if (this.downloads.size >= DOWNLOADS_REMEMBERED) this.downloads.delete(this.downloads.keys().next().value as string);
    this.downloads.set(key, Date.now());
  }

  /** Which session (by its label, never its id) or API token: the trail names the credential a secret left through. */
  private credential(auth: AuthContext): Record<string, unknown> {
    return auth.sessionId !== null
      ? { via: 'session', session: sessionLabel(auth.sessionId) }
      : { via: 'token', tokenId: auth.token?.id ?? null };
  }
}
