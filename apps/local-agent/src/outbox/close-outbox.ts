import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CloudUnreachableError, isFinalRefusal } from '@cos/cloud-client';
import { UnauthorizedError } from '@cos/contracts';
import type { StoredCookie } from '@cos/contracts';
import { AgentCloud } from '../cloud/agent-cloud';
import { AgentConfig } from '../config/agent-config';
import { AgentEvents } from '../events/agent-events';
import { writePrivate } from '../identity/agent-files';
import { CommitPlan, ProfileSync } from '../profile-sync/profile-sync';

/** What a close produced, for the cloud's `/browser/close`, and the profile version to commit after it. */
export interface CloseReport {
  uuid: string;
  cookies?: StoredCookie[];
  /** The window's cookie epoch the cookies were read in: the cloud stores none of an older one. */
  cookiesEpoch?: number;
  /** Absent when the zip could not be written (a full disk): the cookies still go. */
  profile?: { zipName: string; zipSize: number; sha256: string };
  profileCommit?: CommitPlan;
}

interface StoredReport extends CloseReport {
  /** Tells a report from the newer one that replaced it while it was being sent. */
  reportId: string;
  closedAt: string;
  /** How the profile commit went, once it did: only the close is left to send. */
  profileSync?: ProfileSyncAnswer;
}

/** How the profile commit of a close went, as the close answers it. */
export interface ProfileSyncAnswer {
  version: number | null;
  uploadedBytes: number;
  skippedBytes: number;
  pending: boolean;
  /** Nothing synced changed since the version the window was opened from: no version was made. */
  unchanged?: boolean;
  error?: string;
}

export type Delivery =
  | { state: 'delivered'; answer: Record<string, unknown>; profileSync?: ProfileSyncAnswer }
  /** The cloud did not take it now (unreachable, signed out, throttled, failing): it stays and is retried. */
  | { state: 'pending'; error: string }
  /** The cloud refused it for good (window deleted, held by another device, launched since on another one): dropped. */
  | { state: 'refused'; error: string }
  | { state: 'none' };

type Sent = Exclude<Delivery, { state: 'none' }>;

const MAX_DELAY_MS = 60_000;

const SYNC_EVENT = { delivered: 'sync.done', pending: 'sync.pending', refused: 'sync.refused' } as const;

/**
 * Close reports wait here, one file per window under `outbox/`, until the cloud takes them: a
 * close never depends on the cloud answering. A report is written before it is first sent,
 * retried with exponential backoff (`AGENT_OUTBOX_RETRY_MS` doubling up to a minute), and
 * picked up again by the next agent after a restart. A newer close of the same window replaces
 * the older report, so the newest cookies and zip facts are the ones that arrive.
 */
@Injectable()
export class CloseOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CloseOutbox.name);
  private readonly dir: string;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private readonly sending = new Map<string, Promise<Delivery>>();
  private stopped = false;

  constructor(
    private readonly config: AgentConfig,
    private readonly cloud: AgentCloud,
    private readonly events: AgentEvents,
    private readonly profiles: ProfileSync,
  ) {
    this.dir = config.path('outbox');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  onApplicationBootstrap(): void {
    for (const uuid of this.uuids()) this.schedule(uuid, 0);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Keeps the report durably (temporary file, renamed), replacing an older one of the window. */
  put(report: CloseReport): void {
    const stored: StoredReport = { ...report, reportId: randomUUID(), closedAt: new Date().toISOString() };
    const tmp = join(this.dir, `${report.uuid}.${stored.reportId}.tmp`);
    writePrivate(tmp, JSON.stringify(stored));
    renameSync(tmp, this.file(report.uuid));
    this.failures.delete(report.uuid);
  }

  has(uuid: string): boolean {
    return this.read(uuid) !== null;
  }

  uuids(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length));
  }

  /** Sends the window's report now (joining a send in flight); a pending one is retried later. */
  deliver(uuid: string): Promise<Delivery> {
    const inFlight = this.sending.get(uuid);
    if (inFlight) return inFlight;
    const timer = this.timers.get(uuid);
    if (timer) clearTimeout(timer);
    this.timers.delete(uuid);
    const sending = this.send(uuid).finally(() => this.sending.delete(uuid));
    this.sending.set(uuid, sending);
    return sending;
  }

  /**
   * The profile version is committed first, while this device still holds the window's lease,
   * carrying the close's cookies; then the close releases the window. A commit the cloud refuses
   * (a stale version) stores neither the profile nor its cookies.
   */
  private async send(uuid: string): Promise<Delivery> {
    let report = this.read(uuid);
    if (!report) return { state: 'none' };
    let delivery: Sent | null = null;
    if (report.profileCommit && !report.profileSync) {
      const pushed = await this.profiles.push(uuid, report.profileCommit, report.cookies, report.cookiesEpoch);
      if (pushed.state === 'pending') delivery = { state: 'pending', error: `profile commit: ${pushed.error}` };
      else {
        if (pushed.state === 'refused') this.logger.warn(`profile commit of window ${uuid} refused by the cloud, dropped: ${pushed.error}`);
        report = this.keep({
          ...report,
          profileSync:
            pushed.state === 'done'
              ? {
                  version: pushed.version,
                  uploadedBytes: pushed.uploadedBytes,
                  skippedBytes: pushed.skippedBytes,
                  pending: false,
                  unchanged: pushed.unchanged,
                }
              : { version: null, uploadedBytes: 0, skippedBytes: 0, pending: false, error: pushed.error },
        });
      }
    }
    delivery ??= await this.sendClose(report);
    if (delivery.state === 'delivered' && report.profileSync) delivery = { ...delivery, profileSync: report.profileSync };
    this.events.emit(SYNC_EVENT[delivery.state], uuid, {
      ...('error' in delivery ? { error: delivery.error } : {}),
      ...('profileSync' in delivery && delivery.profileSync ? { profileSync: delivery.profileSync } : {}),
    });
    if (delivery.state === 'pending') {
      const failures = (this.failures.get(uuid) ?? 0) + 1;
      this.failures.set(uuid, failures);
      this.schedule(uuid, Math.min(MAX_DELAY_MS, this.config.env.AGENT_OUTBOX_RETRY_MS * 2 ** (failures - 1)));
      return delivery;
    }
    if (delivery.state === 'refused') this.logger.warn(`close report of window ${uuid} refused by the cloud, dropped: ${delivery.error}`);
    // A newer close may have replaced the report while this one was on its way: keep that one.
    if (this.read(uuid)?.reportId === report.reportId) rmSync(this.file(uuid), { force: true });
    this.failures.delete(uuid);
    return delivery;
  }

  private async sendClose(report: StoredReport): Promise<Sent> {
    const { reportId: _id, closedAt: _at, profileCommit: _commit, profileSync, cookies, ...body } = report;
    try {
      // A profile commit the cloud refused (a stale version) takes its cookies with it: they overwrite nothing.
      const answer = await this.cloud.call<Record<string, unknown>>('/browser/close', {
        ...body,
        ...(cookies && !profileSync?.error ? { cookies } : {}),
      });
      if (answer.code === 0) return { state: 'delivered', answer: answer.data };
      if (isFinalRefusal(answer.code)) return { state: 'refused', error: `${answer.code} ${answer.msg}` };
      return { state: 'pending', error: `${answer.code} ${answer.msg}` };
    } catch (error) {
      // Unreachable, or signed out until someone signs the agent in again: both pass.
      if (!(error instanceof CloudUnreachableError) && !(error instanceof UnauthorizedError)) throw error;
      return { state: 'pending', error: error.message };
    }
  }

  /** Rewrites the report in place, unless a newer close replaced it meanwhile. */
  private keep(report: StoredReport): StoredReport {
    if (this.read(report.uuid)?.reportId !== report.reportId) return report;
    const tmp = join(this.dir, `${report.uuid}.${report.reportId}.tmp`);
    writePrivate(tmp, JSON.stringify(report));
    renameSync(tmp, this.file(report.uuid));
    return report;
  }

  private schedule(uuid: string, delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(uuid));
    const timer = setTimeout(() => {
      this.timers.delete(uuid);
      this.deliver(uuid).catch((error: unknown) => this.logger.warn(`close report of window ${uuid}: ${(error as Error).message}`));
    }, delayMs);
    timer.unref();
    this.timers.set(uuid, timer);
  }

  private read(uuid: string): StoredReport | null {
    try {
      return JSON.parse(readFileSync(this.file(uuid), 'utf8')) as StoredReport;
    } catch {
      return null;
    }
  }

  private file(uuid: string): string {
    return join(this.dir, `${uuid}.json`);
  }
}
