import { Injectable, Logger } from '@nestjs/common';
import { InsufficientStorageError, sortCookies } from '@cos/contracts';
import type { CookieRefusal, StoredCookie } from '@cos/contracts';
import { BidiSessions } from '../bidi/bidi-sessions';
import { AgentCloud } from '../cloud/agent-cloud';
import { AgentConfig } from '../config/agent-config';
import { AgentEvents } from '../events/agent-events';
import { OneTimeWindows } from '../one-time/one-time-windows';
import { CloseOutbox, Delivery, ProfileSyncAnswer } from '../outbox/close-outbox';
import { ProfileSync } from '../profile-sync/profile-sync';
import { WindowProxies } from '../proxy/window-proxies';
import { CloudWait } from './cloud-wait';
import { readProfileCookies } from './cookie-reader';
import { stopFirefox, StopResult } from './firefox-process';
import { archiveProfile, ArchiveResult, isOutOfSpace, removeRegeneratedFiles } from './profile-archive';
import { RunningWindows } from './running-windows';
import { stopXvfb } from './xvfb-display';
import type { CloseOutcome, RunningWindow } from './window-types';

/**
 * A window's close steps, whoever asked: the cloud told it is closing, Firefox stopped (cookies read
 * through the agent's session first), the synced profile zipped and committed, the report handed to
 * the outbox. The window is closed here whatever the cloud does.
 */
@Injectable()
export class WindowCloser {
  private readonly logger = new Logger(WindowCloser.name);

  constructor(
    private readonly config: AgentConfig,
    private readonly cloud: AgentCloud,
    private readonly windows: RunningWindows,
    private readonly proxies: WindowProxies,
    private readonly outbox: CloseOutbox,
    private readonly events: AgentEvents,
    private readonly bidi: BidiSessions,
    private readonly oneTime: OneTimeWindows,
    private readonly profileSync: ProfileSync,
  ) {}

  /** How long a close waits for the cloud before the outbox takes over its report. */
  wait(): CloudWait {
    return new CloudWait(this.config.env.AGENT_CLOSE_REPORT_WAIT_MS);
  }

  /** A close asked for (an API call, a stopping agent): the cloud is told, Firefox is stopped, the steps run. */
  async closeRunning(window: RunningWindow, wait: CloudWait): Promise<CloseOutcome> {
    clearInterval(window.renewTimer);
    await wait.within(
      (timeoutMs) =>
        this.cloud
          .data('/browser/open-status/update', { uuid: window.uuid, status: 'closing', pid: window.pid }, timeoutMs)
          .catch(() => undefined),
      () => undefined,
    );
    const stop = await stopFirefox(window.pid, this.bidi.client(window.uuid), window.exited, this.config.env.AGENT_CLOSE_TIMEOUT_MS);
    return this.finish(window, stop, 'requested', wait);
  }

  /**
   * The close steps after Firefox has ended: collect cookies, zip the synced profile, and hand the
   * report to the outbox, which tells the cloud now or as soon as it can. A disk too full for the
   * zip keeps the last complete zip and roaming version, and still sends the session's cookies:
   * the close says so (507).
   */
  async finish(window: RunningWindow, stop: StopResult, reason: CloseOutcome['reason'], wait = this.wait()): Promise<CloseOutcome> {
    clearInterval(window.renewTimer);
    stopXvfb(window.displayPid);
    await this.bidi.close(window.uuid);
    let archive: ArchiveResult | null = null;
    let cookies: StoredCookie[] | undefined;
    let refused: CookieRefusal[] = [];
    let storageError: string | null = null;
    try {
      await this.proxies.release(window.uuid);
      if (window.sync.syncCookies) {
        // What the browser holds passes the same check as every other way in: one odd cookie must not cost the rest.
        ({ valid: cookies, refused } = sortCookies(stop.cookies ?? readProfileCookies(window.profileDir)));
        if (refused.length > 0)
          this.logger.warn(`window ${window.uuid}: ${refused.length} cookie(s) left out of the sync: ${refused[0].reason}`);
      }
      try {
        archive = await archiveProfile(window.profileDir, this.windows.zipPath(window.uuid), window.sync);
      } catch (error) {
        if (!isOutOfSpace(error)) throw error;
        storageError = (error as Error).message;
        // Firefox's shutdown may have taken the last of the space with its caches: the report must fit.
        await removeRegeneratedFiles(window.profileDir);
      }
      // The roaming version: what the zip holds, hashed; a one-time window keeps nothing.
      const profileCommit =
        !archive || this.oneTime.has(window.uuid)
          ? undefined
          : await this.profileSync.prepare(window.uuid, window.profileDir, archive.files, window.sync);
      const report = {
        uuid: window.uuid,
        ...(cookies ? { cookies } : {}),
        ...(cookies && window.cookiesEpoch !== undefined ? { cookiesEpoch: window.cookiesEpoch } : {}),
        ...(archive ? { profile: { zipName: archive.name, zipSize: archive.size, sha256: archive.sha256 } } : {}),
        ...(profileCommit ? { profileCommit } : {}),
      };
      try {
        this.outbox.put(report);
      } catch (error) {
        if (!isOutOfSpace(error)) throw error;
        throw new InsufficientStorageError(
          `Insufficient storage: window ${window.uuid} is closed, but with no space left in ${this.config.dataDir} (${(error as Error).message}) ` +
            `neither its profile nor its report to the cloud could be written; its last saved profile is kept. Free space on that disk`,
        );
      }
    } finally {
      this.windows.delete(window.uuid);
      this.windows.registry.remove(window.uuid);
    }
    this.events.emit('window.closed', window.uuid, {
      id: window.id,
      reason,
      killed: stop.killed,
      zipSize: archive?.size ?? null,
      cookies: cookies?.length ?? null,
      ...(storageError ? { storageError } : {}),
    });
    const delivering = this.outbox.deliver(window.uuid);
    const delivery = await wait.within(
      () => delivering,
      (): Delivery => ({
        state: 'pending',
        error: `the cloud did not answer within ${wait.ms} ms (AGENT_CLOSE_REPORT_WAIT_MS); the outbox delivers the report when it does`,
      }),
    );
    const backendClose =
      delivery.state === 'delivered'
        ? delivery.answer
        : { pending: delivery.state === 'pending', ...('error' in delivery ? { error: delivery.error } : {}) };
    const oneTime = this.oneTime.has(window.uuid) ? await this.oneTime.dispose(window.uuid, this.windows.windowFiles(window.uuid)) : null;
    const profileSync: ProfileSyncAnswer | null = oneTime
      ? null
      : delivery.state === 'delivered'
        ? (delivery.profileSync ?? null)
        : { version: null, uploadedBytes: 0, skippedBytes: 0, pending: delivery.state === 'pending' };
    return {
      archive,
      cookies: { synced: cookies !== undefined, count: cookies?.length ?? 0, refused },
      storageError: storageError && this.outOfSpaceMessage(window, storageError, cookies, delivery),
      backendClose,
      killed: stop.killed,
      error: 0,
      reason,
      oneTime,
      profileSync,
    };
  }

  private outOfSpaceMessage(window: RunningWindow, error: string, cookies: StoredCookie[] | undefined, delivery: Delivery): string {
    const version = this.profileSync.localVersion(window.uuid);
    const kept = cookies
      ? `the session's ${cookies.length} cookies were kept in the outbox ${delivery.state === 'delivered' ? 'and reached the cloud' : 'for the cloud'}`
      : 'the window does not sync cookies';
    return (
      `Insufficient storage: the profile of window ${window.uuid} could not be saved (${error}) in ${this.config.dataDir}. ` +
      `The window is closed; its last saved profile (zip${version !== null ? ` and roaming version ${version}` : ''}) is kept and the partial zip removed; ` +
      `${kept}. Free space on that disk: the next close saves the profile again`
    );
  }
}
