/**
 * Long (a reason, not a goal): it holds a window's whole life on this desktop, open, adoption after a
 * restart, close and sync, whose steps share one registry and one lock per window. The close-and-sync
 * steps are the next to move into a service of their own.
 */
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { mkdirSync, readdirSync } from 'node:fs';
import {
  ConflictError,
  DomainError,
  InsufficientStorageError,
  InvalidParamError,
  NotFoundError,
  resolveWindowRef,
  ResultCode,
  sortCookies,
} from '@cos/contracts';
import type { CookieRefusal, LaunchPayload, StoredCookie, WindowResponse } from '@cos/contracts';
import { AgentCloud, CloudAnswerError } from '../cloud/agent-cloud';
import { AgentConfig } from '../config/agent-config';
import { writePrivate } from '../identity/agent-files';
import { dropCookiesOfOtherEpoch, recordCookiesEpoch } from './cookie-epoch';
import { readProfileCookies } from './cookie-reader';
import { isAlive, isFirefoxOn, setUpBrowser, startFirefox, stopFirefox, StopResult, terminateFirefox, whenGone } from './firefox-process';
import { SessionTakenError } from '../bidi/bidi-multiplexer';
import { writeFingerprintExtension } from './fingerprint-extension';
import { prepareFontConfig } from './font-config';
import { startXvfb, stopXvfb } from './xvfb-display';
import { BidiSessions } from '../bidi/bidi-sessions';
import { AgentEvents } from '../events/agent-events';
import { CloseOutbox, Delivery, ProfileSyncAnswer } from '../outbox/close-outbox';
import { ProfileSync } from '../profile-sync/profile-sync';
import { Disposal, OneTimeWindows, REF_KEYS } from '../one-time/one-time-windows';
import { WindowProxies } from '../proxy/window-proxies';
import { planLaunch } from './launch-plan';
import { archiveProfile, ArchiveResult, isOutOfSpace, profileExists, removeRegeneratedFiles, restoreOrSetAside } from './profile-archive';
import { CloudWait } from './cloud-wait';
import { WindowRecord, WindowRegistry } from './window-registry';

interface RunningWindow extends WindowRecord {
  exited: Promise<void>;
  renewTimer: NodeJS.Timeout;
  closing: Promise<CloseOutcome> | null;
}

export interface CloseOutcome {
  archive: ArchiveResult | null;
  /** `refused`: cookies the browser held that no window can store (the one cookie check), left out of the sync. */
  cookies: { synced: boolean; count: number; refused: CookieRefusal[] };
  /** Set when the profile could not be saved for want of space: what was kept and what was not. */
  storageError: string | null;
  /** The cloud's answer to the close, or `pending` while the report waits in the outbox. */
  backendClose: Record<string, unknown>;
  killed: boolean;
  error: number;
  reason: 'requested' | 'exited' | 'recovered';
  /** For a one-time window: its deletion after the close. */
  oneTime: Disposal | null;
  /** The roaming profile's commit; null when none was made (a one-time window). */
  profileSync: ProfileSyncAnswer | null;
}

/** The cloud's view of a window; `unknown` when the cloud could not be asked. */
interface OpenStatusView {
  openStatus: WindowResponse['openStatus'] | 'unknown';
  openDeviceId: string | null;
}

/**
 * Opens and closes windows as Firefox processes, one profile folder per window, and keeps the
 * cloud's view in step: the lease is renewed while a window runs, and a window that ends by
 * itself (closed by hand, crashed) goes through the same close steps as a requested close.
 *
 * A window runs only while this agent holds its BiDi session: a stopping agent closes its windows
 * (synced as any close), and a window an earlier agent left (killed) is closed by the next one,
 * its cookies read from the profile. Its session stays held in Firefox meanwhile, for nobody.
 * (Past 300 lines: open, close and recovery share the window table and the close steps.)
 */
@Injectable()
export class BrowserWindowsService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(BrowserWindowsService.name);
  private readonly running = new Map<string, RunningWindow>();
  private readonly opening = new Map<string, Promise<RunningWindow>>();
  private readonly registry: WindowRegistry;
  /** Set at shutdown, after its windows closed: an exit from then on is nobody's to finish. */
  private stopped = false;

  constructor(
    private readonly config: AgentConfig,
    private readonly cloud: AgentCloud,
    private readonly proxies: WindowProxies,
    private readonly outbox: CloseOutbox,
    private readonly events: AgentEvents,
    private readonly bidi: BidiSessions,
    private readonly oneTime: OneTimeWindows,
    private readonly profileSync: ProfileSync,
  ) {
    this.registry = new WindowRegistry(config.path('runtime'));
    for (const dir of ['browser-cache/firefox-profiles', 'firefox-launch-configs', 'uploaded-profile-zips']) {
      mkdirSync(config.path(dir), { recursive: true, mode: 0o700 });
    }
  }

  profileDir(uuid: string): string {
    return this.config.path('browser-cache', 'firefox-profiles', uuid);
  }

  zipPath(uuid: string): string {
    return this.config.path('uploaded-profile-zips', `${uuid}.zip`);
  }

  /**
   * Windows an earlier agent left: one still running (the agent was killed) is closed and synced,
   * as this agent cannot take its session; one that ended meanwhile is finished; one whose open
   * never completed is stopped and released, syncing nothing (its setup never finished).
   */
  onApplicationBootstrap(): void {
    const recorded = new Set(this.registry.all().map((r) => r.uuid));
    for (const record of this.registry.all()) {
      const alive = isFirefoxOn(record.pid, record.profileDir);
      const exited = alive ? whenGone(record.pid) : Promise.resolve();
      const window: RunningWindow = { ...record, exited, renewTimer: setTimeout(() => undefined, 0), closing: null };
      this.running.set(record.uuid, window);
      window.closing = (record.starting ? this.abandon(window, alive) : this.recover(window, alive))
        .then((outcome) => {
          this.logger.log(`closed window ${record.uuid}, which an earlier agent left ${alive ? 'running' : 'ended'}`);
          return outcome;
        })
        .catch((error: Error) => {
          this.logger.warn(`could not finish window ${record.uuid}: ${error.message}`);
          this.running.delete(record.uuid);
          throw error;
        });
      window.closing.catch(() => undefined);
    }
    // One-time windows whose deletion an earlier agent did not finish (those above finish through their close).
    this.oneTime.resume(
      (uuid) => recorded.has(uuid),
      (uuid) => this.windowFiles(uuid),
    );
  }

  private async recover(window: RunningWindow, alive: boolean): Promise<CloseOutcome> {
    const killed = alive ? await terminateFirefox(window.pid, window.exited, this.config.env.AGENT_CLOSE_TIMEOUT_MS) : false;
    return this.finish(window, { cookies: null, killed }, 'recovered');
  }

  /** A window whose open an earlier agent never finished: stopped, its files kept, nothing synced. */
  private async abandon(window: RunningWindow, alive: boolean): Promise<CloseOutcome> {
    const killed = alive ? await terminateFirefox(window.pid, window.exited, this.config.env.AGENT_CLOSE_TIMEOUT_MS) : false;
    stopXvfb(window.displayPid);
    this.running.delete(window.uuid);
    this.registry.remove(window.uuid);
    await this.cloud.data('/browser/open-status/update', { uuid: window.uuid, status: 'closed' }).catch(() => undefined);
    const oneTime = this.oneTime.has(window.uuid) ? await this.oneTime.dispose(window.uuid, this.windowFiles(window.uuid)) : null;
    this.events.emit('window.closed', window.uuid, { id: window.id, reason: 'recovered', killed, zipSize: 0, cookies: null });
    return {
      archive: null,
      cookies: { synced: false, count: 0, refused: [] },
      backendClose: { skipped: 'the open never completed' },
      killed,
      error: 0,
      reason: 'recovered',
      oneTime,
      profileSync: null,
      storageError: null,
    };
  }

  /** A stopping agent closes its windows, each synced as any close: none runs without the agent holding its session. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.opening.values()]);
    const closes = [...this.running.values()].map((w) => (w.closing ??= this.closeRunning(w, this.closeWait())));
    await Promise.allSettled(closes);
    this.stopped = true;
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const window of this.running.values()) clearInterval(window.renewTimer);
  }

  async resolveWindow(body: Record<string, unknown>): Promise<WindowResponse> {
    const ref = resolveWindowRef(body);
    return this.cloud.data<WindowResponse>('/browser/detail', ref.uuid ? { uuid: ref.uuid } : { id: ref.id });
  }

  async open(body: Record<string, unknown>) {
    if (body.oneTime === true) return this.openOneTime(body);
    if (body.window !== undefined) throw new InvalidParamError("window (a new window's settings) goes with oneTime: true");
    return this.openExisting(body);
  }

  private async openExisting(body: Record<string, unknown>) {
    const window = await this.resolveWindow(body);
    // A window going away is not an open one: its close (asked, or a Firefox that died) finishes first.
    const ending = this.running.get(window.uuid);
    if (ending && (ending.closing || !isAlive(ending.pid))) {
      await (ending.closing ?? ending.exited).catch(() => undefined);
      if (this.running.get(window.uuid)?.closing) throw new ConflictError(`Window ${window.uuid} is closing; open it once it has closed`);
    }
    const running = this.running.get(window.uuid);
    const pending = this.opening.get(window.uuid);
    if (running || pending) {
      const started = running ?? (await pending!);
      return this.openAnswer(started, true, window, window);
    }
    const opening = this.start(window).finally(() => this.opening.delete(window.uuid));
    this.opening.set(window.uuid, opening);
    const started = await opening;
    return this.openAnswer(started, false, window, await this.cloudStatus(window.uuid));
  }

  /** A window created for this session only: deleted for good once it closes, or at once if it cannot open. */
  private async openOneTime(body: Record<string, unknown>) {
    const named = REF_KEYS.find((k) => body[k] !== undefined);
    if (named) throw new InvalidParamError(`${named}: oneTime opens a new window; leave out the window reference`);
    const created = await this.oneTime.create(body.window ?? {});
    try {
      return { ...(await this.openExisting({ uuid: created.uuid })), oneTime: true };
    } catch (error) {
      await this.oneTime.dispose(created.uuid, this.windowFiles(created.uuid)).catch(() => undefined);
      throw error;
    }
  }

  /** Every file this device keeps for a window: profile, zips, launch configuration, log. */
  private windowFiles(uuid: string): string[] {
    const zips = this.config.path('uploaded-profile-zips');
    return [
      this.profileDir(uuid),
      ...readdirSync(zips)
        .filter((f) => f.startsWith(`${uuid}.zip`))
        .map((f) => this.config.path('uploaded-profile-zips', f)),
      this.config.path('firefox-launch-configs', `${uuid}.json`),
      this.config.path('firefox-launch-configs', `${uuid}-extension`),
      this.config.path('runtime', `${uuid}.log`),
      this.config.path('profile-state', `${uuid}.json`),
    ];
  }

  private async start(window: WindowResponse): Promise<RunningWindow> {
    // The cloud must hold this device's last close before it hands out its (older) cookies.
    const lastClose = await new CloudWait(this.config.env.AGENT_CLOSE_REPORT_WAIT_MS).within(
      () => this.outbox.deliver(window.uuid),
      (): Delivery => ({ state: 'pending', error: `the cloud did not take it within ${this.config.env.AGENT_CLOSE_REPORT_WAIT_MS} ms` }),
    );
    if (lastClose.state === 'pending') {
      throw new CloudAnswerError(
        ResultCode.Unavailable,
        `The last close of window ${window.uuid} has not reached the cloud yet (${lastClose.error}); it is retried, open the window once it is`,
      );
    }
    const launch = await this.cloud.data<LaunchPayload>('/browser/launch', { uuid: window.uuid });
    let pid: number | null = null;
    let display: { pid: number; display: string } | null = null;
    try {
      const proxy = await this.proxies.prepare(window.uuid, launch);
      const device = { firefoxMajor: this.config.firefoxMajor, realCores: this.config.realCores, uiLocales: this.config.uiLocales };
      const plan = planLaunch(launch, device, this.config.displayMode, proxy.route?.browser ?? null, proxy.exit);
      plan.env.FONTCONFIG_FILE = (await prepareFontConfig(this.config.path('fontconfig'), plan.identity.os, plan.identity.fonts)).file;
      if (this.config.displayMode === 'xvfb') {
        display = await startXvfb(plan.identity.screen.width, plan.identity.screen.height);
        plan.env.DISPLAY = display.display;
      }
      const profileDir = this.profileDir(window.uuid);
      // A newer roaming version than this device's copy is fetched and swapped in before Firefox starts.
      const pulled = await this.profileSync.pull(window.uuid, profileDir, launch.profileVersion, launch.sync);
      // The seed's zip is this device's own last close: it fills in only what no roaming version gave.
      const restore = pulled || profileExists(profileDir) ? null : await restoreOrSetAside(this.zipPath(window.uuid), profileDir);
      if (restore) {
        this.logger.warn(`profile zip of window ${window.uuid} could not be restored (${restore.error}); kept at ${restore.keptAt}`);
        this.events.emit('profile.restore_failed', window.uuid, { error: restore.error, keptAt: restore.keptAt });
      }
      // Cookies replaced in the cloud since this copy was made must not come back from its own jar.
      await dropCookiesOfOtherEpoch(profileDir, launch.cookiesEpoch);
      const configPath = this.config.path('firefox-launch-configs', `${window.uuid}.json`);
      const extensionDir = this.config.path('firefox-launch-configs', `${window.uuid}-extension`);
      writePrivate(configPath, JSON.stringify({ uuid: window.uuid, headless: this.config.headless, ...plan }, null, 2));
      await writeFingerprintExtension(extensionDir, plan.contentScript, proxy.route?.browser ?? null);
      const starting = {
        id: window.id,
        uuid: window.uuid,
        profileDir,
        configPath,
        sync: launch.sync,
        leaseSeconds: launch.leaseSeconds,
        ...(display ? { displayPid: display.pid } : {}),
      };
      const firefox = await startFirefox({
        executablePath: this.config.firefoxPath,
        profileDir,
        plan,
        headless: this.config.displayMode === 'headless',
        logPath: this.config.path('runtime', `${window.uuid}.log`),
        // Recorded before anything can fail: an agent killed from here on leaves a Firefox the next one finds.
        onSpawn: (spawned) => {
          pid = spawned;
          this.registry.save({ ...starting, pid: spawned, wsEndpoint: '', port: 0, startedAt: new Date().toISOString(), starting: true });
        },
      });
      const bidi = await this.bidi.open(window.uuid, firefox.wsEndpoint);
      await setUpBrowser(bidi.localTransport(), extensionDir, launch.cookies);
      recordCookiesEpoch(profileDir, launch.cookiesEpoch);
      // The extension that answers the bridge's challenge is in: from now on the bridge challenges.
      this.proxies.browserReady(window.uuid);
      const record: WindowRecord = {
        ...starting,
        pid: firefox.pid,
        wsEndpoint: bidi.endpoint,
        port: bidi.port,
        startedAt: new Date().toISOString(),
        exit: proxy.exit,
        cookiesEpoch: launch.cookiesEpoch,
        fingerprintAdjustments: plan.adjustments,
        ...(restore ? { restore } : {}),
        profileSync: pulled
          ? {
              version: pulled.version,
              pulled: true,
              downloadedBytes: pulled.downloadedBytes,
              reusedBytes: pulled.reusedBytes,
              leftOut: pulled.leftOut,
              fetchMs: pulled.ms,
            }
          : { version: this.profileSync.localVersion(window.uuid), pulled: false, downloadedBytes: 0, reusedBytes: 0, fetchMs: 0 },
      };
      this.registry.save(record);
      const started = this.track(record, firefox.exited);
      await this.reportOpened(started);
      this.events.emit('window.opened', window.uuid, { id: window.id, pid: firefox.pid, wsEndpoint: bidi.endpoint });
      return started;
    } catch (error) {
      // At once: a session taken by another program must not be used one moment longer.
      if (pid !== null && isAlive(pid)) process.kill(pid, 'SIGKILL');
      if (error instanceof SessionTakenError) this.logger.warn(`window ${window.uuid}: ${error.message}`);
      this.registry.remove(window.uuid);
      stopXvfb(display?.pid);
      await this.bidi.close(window.uuid);
      await this.proxies.release(window.uuid);
      await this.cloud.data('/browser/open-status/update', { uuid: window.uuid, status: 'closed' }).catch(() => undefined);
      throw error;
    }
  }

  /** Watches a running window: lease renewal, and the close steps when it ends by itself. */
  private track(record: WindowRecord, exited: Promise<void>): RunningWindow {
    const renewMs = Math.max(2, Math.floor(record.leaseSeconds / 3)) * 1000;
    const window: RunningWindow = {
      ...record,
      exited,
      closing: null,
      renewTimer: setInterval(() => void this.reportOpened(window).catch(() => undefined), renewMs),
    };
    window.renewTimer.unref();
    this.running.set(record.uuid, window);
    void exited.then(() => {
      if (window.closing || this.stopped) return;
      this.logger.log(`window ${window.uuid} ended by itself (closed by hand or crashed); finishing its close`);
      this.events.emit('firefox.exited', window.uuid, { id: window.id, pid: window.pid });
      window.closing = this.finish(window, { cookies: null, killed: false }, 'exited');
      window.closing.then(
        (outcome) => outcome.storageError && this.logger.warn(outcome.storageError),
        (error) => this.logger.warn(`finishing window ${window.uuid} failed: ${(error as Error).message}`),
      );
    });
    return window;
  }

  private reportOpened(window: RunningWindow) {
    return this.cloud.data('/browser/open-status/update', {
      uuid: window.uuid,
      status: 'opened',
      pid: window.pid,
    });
  }

  /** Closing a window running here needs no cloud: its report waits in the outbox if the cloud is away. */
  async close(body: Record<string, unknown>) {
    const ref = resolveWindowRef(body);
    const local = [...this.running.values()].find((w) => w.uuid === ref.uuid || w.id === ref.id);
    const uuid = local?.uuid ?? (await this.resolveWindow(body)).uuid;
    const running = this.running.get(uuid) ?? (await this.opening.get(uuid)?.catch(() => undefined));
    if (!running) throw new NotFoundError(`Window ${uuid} is not open on this device`);
    // Marked closing at once, before any cloud round trip: an open from now on waits for this close.
    // A cloud that hangs (stopped, overloaded) holds the close no longer than its wait; the outbox finishes the report.
    const wait = this.closeWait();
    const beforeClose = this.cloudStatus(uuid, wait);
    running.closing ??= beforeClose.then(() => this.closeRunning(running, wait));
    const outcome = await running.closing;
    const answer = this.closeAnswer(running, outcome, await beforeClose, await this.cloudStatus(uuid, wait));
    if (outcome.storageError) throw new InsufficientStorageError(outcome.storageError, answer);
    return answer;
  }

  private closeWait(): CloudWait {
    return new CloudWait(this.config.env.AGENT_CLOSE_REPORT_WAIT_MS);
  }

  private async closeRunning(window: RunningWindow, wait: CloudWait): Promise<CloseOutcome> {
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
   * report to the outbox, which tells the cloud now or as soon as it can. The window is closed
   * here whatever the cloud does. A disk too full for the zip keeps the last complete zip and
   * roaming version, and still sends the session's cookies: the close says so (507).
   */
  private async finish(
    window: RunningWindow,
    stop: StopResult,
    reason: CloseOutcome['reason'],
    wait = this.closeWait(),
  ): Promise<CloseOutcome> {
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
        archive = await archiveProfile(window.profileDir, this.zipPath(window.uuid), window.sync);
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
      this.running.delete(window.uuid);
      this.registry.remove(window.uuid);
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
    const oneTime = this.oneTime.has(window.uuid) ? await this.oneTime.dispose(window.uuid, this.windowFiles(window.uuid)) : null;
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

  async closeAll() {
    const windows = [...this.running.values()];
    const results = await Promise.allSettled(windows.map((w) => this.close({ uuid: w.uuid })));
    return {
      list: results.map((r, i) => ({ uuid: windows[i].uuid, id: windows[i].id, ...this.closeResult(windows[i].uuid, r) })),
    };
  }

  /** One window's line of a close-all: its close, or its failure as the envelope a single close would answer. */
  private closeResult(uuid: string, result: PromiseSettledResult<Awaited<ReturnType<BrowserWindowsService['close']>>>) {
    if (result.status === 'fulfilled') return { code: ResultCode.Ok, close: result.value.close };
    const error: unknown = result.reason;
    if (error instanceof DomainError)
      return { code: error.code, msg: error.message, ...(Object.keys(error.data).length ? { data: error.data } : {}) };
    this.logger.error(`closing window ${uuid} failed: ${(error as Error)?.stack ?? String(error)}`);
    return { code: ResultCode.Internal, msg: 'Internal error: the close failed; the agent log has the cause' };
  }

  /**
   * For a window stuck in opening/closing: a window not running here is marked closed in the cloud
   * and any half-finished local state is dropped. A running window must be closed instead.
   */
  async resetClosing(body: Record<string, unknown>) {
    const window = await this.resolveWindow(body);
    const running = this.running.get(window.uuid);
    if (running && isAlive(running.pid) && !running.closing) {
      return { uuid: window.uuid, reset: false, msg: 'Window is running on this device; close it instead' };
    }
    if (running) {
      clearInterval(running.renewTimer);
      this.running.delete(window.uuid);
    }
    this.opening.delete(window.uuid);
    this.registry.remove(window.uuid);
    await this.proxies.release(window.uuid);
    const after = await this.cloud.data('/browser/open-status/update', {
      uuid: window.uuid,
      status: 'closed',
    });
    return { uuid: window.uuid, reset: true, openedStatus: after };
  }

  /** A window running on this device, found without asking the cloud; 404 "Browser not running" otherwise. */
  runningWindow(body: Record<string, unknown>): Pick<WindowRecord, 'id' | 'uuid' | 'wsEndpoint'> {
    const ref = resolveWindowRef(body);
    const window = [...this.running.values()].find(
      (w) => (ref.uuid === undefined || w.uuid === ref.uuid) && (ref.id === undefined || w.id === ref.id),
    );
    if (!window || window.closing || !isAlive(window.pid)) throw new NotFoundError('Browser not running');
    return window;
  }

  isRunning(uuid: string): boolean {
    const window = this.running.get(uuid);
    return window !== undefined && !window.closing && isAlive(window.pid);
  }

  pids() {
    return { list: [...this.running.values()].map((w) => ({ id: w.id, uuid: w.uuid, pid: w.pid })) };
  }

  ports() {
    return { list: [...this.running.values()].map((w) => ({ id: w.id, uuid: w.uuid, port: w.port, wsEndpoint: w.wsEndpoint })) };
  }

  /** `/browser/proxy/refresh`: the provider's refresh URL, and a fresh extraction at the next open. */
  async refreshProxy(body: Record<string, unknown>) {
    const window = await this.resolveWindow(body);
    if (!window.refreshProxyUrl && window.proxyMethod !== 3) {
      throw new InvalidParamError('This window has no refreshProxyUrl and no API-extracted proxy to refresh');
    }
    return { id: window.id, uuid: window.uuid, ...(await this.proxies.refresh(window.uuid, window)) };
  }

  runningCount(): number {
    return this.running.size;
  }

  private async cloudStatus(uuid: string, wait?: CloudWait): Promise<OpenStatusView> {
    const ask = (timeoutMs?: number) => this.cloud.data<WindowResponse>('/browser/detail', { uuid }, timeoutMs).catch(() => null);
    const window = wait ? await wait.within(ask, () => null) : await ask();
    return window ? { openStatus: window.openStatus, openDeviceId: window.openDeviceId } : { openStatus: 'unknown', openDeviceId: null };
  }

  private openAnswer(window: RunningWindow, alreadyStarted: boolean, beforeStart: OpenStatusView, afterStart: OpenStatusView) {
    return {
      // Numbers, as in every other answer of the agent and the cloud.
      id: window.id,
      browserId: window.id,
      uuid: window.uuid,
      pid: window.pid,
      alreadyStarted,
      profileDir: window.profileDir,
      configPath: window.configPath,
      wsEndpoint: window.wsEndpoint,
      port: window.port,
      ...(window.exit ? { ipCheck: window.exit } : {}),
      // Where the stored fingerprint could not be shown as it is (an older window's impossible values).
      fingerprintAdjustments: window.fingerprintAdjustments ?? [],
      ...(window.restore ? { profileRestore: window.restore } : {}),
      ...(window.profileSync ? { profileSync: window.profileSync } : {}),
      openedStatus: {
        beforeStart: { openStatus: beforeStart.openStatus, openDeviceId: beforeStart.openDeviceId },
        afterStart: { openStatus: afterStart.openStatus, openDeviceId: afterStart.openDeviceId },
      },
    };
  }

  private closeAnswer(window: RunningWindow, outcome: CloseOutcome, beforeClose: OpenStatusView, afterClose: OpenStatusView) {
    return {
      // Numbers, as in every other answer of the agent and the cloud.
      id: window.id,
      browserId: window.id,
      uuid: window.uuid,
      close: {
        error: outcome.error,
        killed: outcome.killed,
        profileZipPath: outcome.archive?.path ?? '',
        profileZipName: outcome.archive?.name ?? '',
        profileZipSize: outcome.archive?.size ?? 0,
        ...(outcome.profileSync ? { profileSync: outcome.profileSync } : {}),
      },
      cookies: outcome.cookies,
      backendClose: outcome.backendClose,
      ...(outcome.oneTime ? { oneTime: outcome.oneTime } : {}),
      openedStatus: { beforeClose, afterClose },
    };
  }
}
