import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { mkdirSync, readdirSync } from 'node:fs';
import { InvalidParamError, NotFoundError, resolveWindowRef, ResultCode } from '@cos/contracts';
import type { LaunchPayload, StoredCookie, WindowResponse } from '@cos/contracts';
import { AgentCloud, CloudAnswerError } from '../cloud/agent-cloud';
import { AgentConfig } from '../config/agent-config';
import { writePrivate } from '../identity/agent-files';
import { readProfileCookies } from './cookie-reader';
import { isAlive, setUpBrowser, startFirefox, stopFirefox, StopResult, whenGone } from './firefox-process';
import { writeFingerprintExtension } from './fingerprint-extension';
import { prepareFontConfig } from './font-config';
import { startXvfb, stopXvfb } from './xvfb-display';
import { BidiSessions } from '../bidi/bidi-sessions';
import { AgentEvents } from '../events/agent-events';
import { CloseOutbox, ProfileSyncAnswer } from '../outbox/close-outbox';
import { ProfileSync } from '../profile-sync/profile-sync';
import { Disposal, OneTimeWindows, REF_KEYS } from '../one-time/one-time-windows';
import { WindowProxies } from '../proxy/window-proxies';
import { planLaunch } from './launch-plan';
import { archiveProfile, ArchiveResult, profileExists, restoreOrSetAside } from './profile-archive';
import { WindowRecord, WindowRegistry } from './window-registry';

interface RunningWindow extends WindowRecord {
  exited: Promise<void>;
  renewTimer: NodeJS.Timeout;
  closing: Promise<CloseOutcome> | null;
}

export interface CloseOutcome {
  archive: ArchiveResult | null;
  cookies: { synced: boolean; count: number };
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
 */
@Injectable()
export class BrowserWindowsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BrowserWindowsService.name);
  private readonly running = new Map<string, RunningWindow>();
  private readonly opening = new Map<string, Promise<RunningWindow>>();
  private readonly registry: WindowRegistry;
  /** Set at shutdown: from then on the windows are the next agent's business. */
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

  /** Windows left running by an earlier agent are adopted; those that ended meanwhile are finished. */
  async onApplicationBootstrap(): Promise<void> {
    const recorded = new Set(this.registry.all().map((r) => r.uuid));
    for (const record of this.registry.all()) {
      if (isAlive(record.pid)) {
        if (record.proxy) await this.proxies.adopt(record.uuid, record.proxy);
        const adopted = await this.takeSession(record);
        this.track(adopted, whenGone(record.pid));
        this.logger.log(`adopted window ${record.uuid} (pid ${record.pid})`);
      } else {
        void this.finish(
          { ...record, exited: Promise.resolve(), renewTimer: setTimeout(() => undefined, 0), closing: null },
          { cookies: null, killed: false },
          'recovered',
        )
          .then(() => this.logger.log(`finished window ${record.uuid}, which ended while the agent was down`))
          .catch((error) => this.logger.warn(`could not finish window ${record.uuid}: ${(error as Error).message}`));
      }
    }
    // One-time windows whose deletion an earlier agent did not finish (those above finish through their close).
    this.oneTime.resume(
      (uuid) => recorded.has(uuid),
      (uuid) => this.windowFiles(uuid),
    );
  }

  /** Windows keep running when the agent stops; the next agent adopts them. */
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
    // A Firefox that died and is still finishing its close is not a running window.
    const ending = this.running.get(window.uuid);
    if (ending && !isAlive(ending.pid)) await (ending.closing ?? ending.exited).catch(() => undefined);
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
    const lastClose = await this.outbox.deliver(window.uuid);
    if (lastClose.state === 'pending') {
      throw new CloudAnswerError(
        ResultCode.Unavailable,
        `The last close of window ${window.uuid} has not reached the cloud yet (${lastClose.error}); it is retried, open the window once it is`,
      );
    }
    const launch = await this.cloud.data<LaunchPayload>('/browser/launch', { uuid: window.uuid, deviceId: this.cloud.deviceId });
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
      const pulled = await this.profileSync.pull(window.uuid, profileDir, launch.profileVersion);
      // The seed's zip is this device's own last close: it fills in only what no roaming version gave.
      const restore = pulled || profileExists(profileDir) ? null : await restoreOrSetAside(this.zipPath(window.uuid), profileDir);
      if (restore) {
        this.logger.warn(`profile zip of window ${window.uuid} could not be restored (${restore.error}); kept at ${restore.keptAt}`);
        this.events.emit('profile.restore_failed', window.uuid, { error: restore.error, keptAt: restore.keptAt });
      }
      const configPath = this.config.path('firefox-launch-configs', `${window.uuid}.json`);
      const extensionDir = this.config.path('firefox-launch-configs', `${window.uuid}-extension`);
      writePrivate(configPath, JSON.stringify({ uuid: window.uuid, headless: this.config.headless, ...plan }, null, 2));
      await writeFingerprintExtension(extensionDir, plan.contentScript);
      const firefox = await startFirefox({
        executablePath: this.config.firefoxPath,
        profileDir,
        plan,
        headless: this.config.displayMode === 'headless',
        logPath: this.config.path('runtime', `${window.uuid}.log`),
      });
      pid = firefox.pid;
      const bidi = await this.bidi.open(window.uuid, firefox.wsEndpoint);
      await setUpBrowser(bidi.localTransport(), extensionDir, launch.cookies);
      const record: WindowRecord = {
        id: window.id,
        uuid: window.uuid,
        pid: firefox.pid,
        wsEndpoint: bidi.endpoint,
        port: bidi.port,
        firefoxEndpoint: firefox.wsEndpoint,
        profileDir,
        configPath,
        sync: launch.sync,
        leaseSeconds: launch.leaseSeconds,
        startedAt: new Date().toISOString(),
        proxy: this.proxies.recordOf(window.uuid),
        exit: proxy.exit,
        ...(display ? { displayPid: display.pid } : {}),
        fingerprintAdjustments: plan.adjustments,
        ...(restore ? { restore } : {}),
        profileSync: pulled
          ? {
              version: pulled.version,
              pulled: true,
              downloadedBytes: pulled.downloadedBytes,
              reusedBytes: pulled.reusedBytes,
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
      if (pid !== null && isAlive(pid)) process.kill(pid, 'SIGKILL');
      stopXvfb(display?.pid);
      await this.bidi.close(window.uuid);
      await this.proxies.release(window.uuid);
      await this.cloud
        .data('/browser/open-status/update', { uuid: window.uuid, deviceId: this.cloud.deviceId, status: 'closed' })
        .catch(() => undefined);
      throw error;
    }
  }

  /** A window left by an earlier agent: its BiDi session is taken again and served on the same port when it is free. */
  private async takeSession(record: WindowRecord): Promise<WindowRecord> {
    try {
      const bidi = record.firefoxEndpoint
        ? await this.bidi.open(record.uuid, record.firefoxEndpoint, record.port)
        : await this.bidi.open(record.uuid, record.wsEndpoint);
      const taken = {
        ...record,
        wsEndpoint: bidi.endpoint,
        port: bidi.port,
        firefoxEndpoint: record.firefoxEndpoint ?? record.wsEndpoint,
      };
      this.registry.save(taken);
      return taken;
    } catch (error) {
      this.logger.warn(`could not take the BiDi session of window ${record.uuid} again: ${(error as Error).message}`);
      return record;
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
      window.closing.catch((error) => this.logger.warn(`finishing window ${window.uuid} failed: ${(error as Error).message}`));
    });
    return window;
  }

  private reportOpened(window: RunningWindow) {
    return this.cloud.data('/browser/open-status/update', {
      uuid: window.uuid,
      deviceId: this.cloud.deviceId,
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
    const beforeClose = await this.cloudStatus(uuid);
    running.closing ??= this.closeRunning(running);
    const outcome = await running.closing;
    return this.closeAnswer(running, outcome, beforeClose, await this.cloudStatus(uuid));
  }

  private async closeRunning(window: RunningWindow): Promise<CloseOutcome> {
    clearInterval(window.renewTimer);
    await this.cloud
      .data('/browser/open-status/update', { uuid: window.uuid, deviceId: this.cloud.deviceId, status: 'closing', pid: window.pid })
      .catch(() => undefined);
    const stop = await stopFirefox(
      window.pid,
      this.bidi.client(window.uuid, window.wsEndpoint),
      window.exited,
      this.config.env.AGENT_CLOSE_TIMEOUT_MS,
    );
    return this.finish(window, stop, 'requested');
  }

  /**
   * The close steps after Firefox has ended: zip the synced profile, collect cookies, and hand the
   * report to the outbox, which tells the cloud now or as soon as it can. The window is closed
   * here whatever the cloud does.
   */
  private async finish(window: RunningWindow, stop: StopResult, reason: CloseOutcome['reason']): Promise<CloseOutcome> {
    clearInterval(window.renewTimer);
    stopXvfb(window.displayPid);
    await this.bidi.close(window.uuid);
    let archive: ArchiveResult;
    let cookies: StoredCookie[] | undefined;
    try {
      await this.proxies.release(window.uuid);
      archive = await archiveProfile(window.profileDir, this.zipPath(window.uuid), window.sync);
      cookies = window.sync.syncCookies ? (stop.cookies ?? readProfileCookies(window.profileDir)) : undefined;
      // The roaming version: what the zip holds, hashed; a one-time window keeps nothing.
      const profileCommit = this.oneTime.has(window.uuid)
        ? undefined
        : await this.profileSync.prepare(window.uuid, window.profileDir, archive.files, window.sync);
      this.outbox.put({
        uuid: window.uuid,
        ...(cookies ? { cookies } : {}),
        profile: { zipName: archive.name, zipSize: archive.size, sha256: archive.sha256 },
        ...(profileCommit ? { profileCommit } : {}),
      });
    } finally {
      this.running.delete(window.uuid);
      this.registry.remove(window.uuid);
    }
    this.events.emit('window.closed', window.uuid, {
      id: window.id,
      reason,
      killed: stop.killed,
      zipSize: archive.size,
      cookies: cookies?.length ?? null,
    });
    const delivery = await this.outbox.deliver(window.uuid);
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
      cookies: { synced: cookies !== undefined, count: cookies?.length ?? 0 },
      backendClose,
      killed: stop.killed,
      error: 0,
      reason,
      oneTime,
      profileSync,
    };
  }

  async closeAll() {
    const windows = [...this.running.values()];
    const results = await Promise.allSettled(windows.map((w) => this.close({ uuid: w.uuid })));
    return {
      list: results.map((r, i) => ({
        uuid: windows[i].uuid,
        id: windows[i].id,
        ...(r.status === 'fulfilled' ? { code: 0, close: r.value.close } : { code: 500, msg: (r.reason as Error).message }),
      })),
    };
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
      deviceId: this.cloud.deviceId,
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

  async cookies(body: Record<string, unknown>) {
    const window = await this.resolveWindow(body);
    const running = this.running.get(window.uuid);
    if (!running) throw new NotFoundError(`Window ${window.uuid} is not open on this device`);
    const cookies = readProfileCookies(running.profileDir);
    return { id: running.id, uuid: running.uuid, cookies, total: cookies.length };
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

  private async cloudStatus(uuid: string): Promise<OpenStatusView> {
    const window = await this.cloud.data<WindowResponse>('/browser/detail', { uuid }).catch(() => null);
    return window ? { openStatus: window.openStatus, openDeviceId: window.openDeviceId } : { openStatus: 'unknown', openDeviceId: null };
  }

  private openAnswer(window: RunningWindow, alreadyStarted: boolean, beforeStart: OpenStatusView, afterStart: OpenStatusView) {
    return {
      id: String(window.id),
      browserId: String(window.id),
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
      id: String(window.id),
      browserId: String(window.id),
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
