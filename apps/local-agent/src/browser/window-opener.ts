import { Injectable, Logger } from '@nestjs/common';
import { ResultCode } from '@cos/contracts';
import { SessionTakenError } from '../bidi/bidi-multiplexer';
import { BidiSessions } from '../bidi/bidi-sessions';
import { AgentCloud, CloudAnswerError } from '../cloud/agent-cloud';
import { checkLaunchAnswer, statusOf } from '../cloud/launch-answer';
import { AgentConfig } from '../config/agent-config';
import { AgentEvents } from '../events/agent-events';
import { writePrivate } from '../identity/agent-files';
import { CloseOutbox, Delivery } from '../outbox/close-outbox';
import { ProfileSync } from '../profile-sync/profile-sync';
import { WindowProxies } from '../proxy/window-proxies';
import { CloudWait } from './cloud-wait';
import { dropCookiesOfOtherEpoch, recordCookiesEpoch } from './cookie-epoch';
import { writeFingerprintExtension } from './fingerprint-extension';
import { isAlive, setUpBrowser, startFirefox } from './firefox-process';
import { prepareFontConfig } from './font-config';
import { planLaunch } from './launch-plan';
import { profileExists, restoreOrSetAside } from './profile-archive';
import { RunningWindows } from './running-windows';
import { WindowCloser } from './window-closer';
import { WindowRecord } from './window-registry';
import { startXvfb, stopXvfb } from './xvfb-display';
import type { OpenStatusView, RunningWindow } from './window-types';

/** A window just started here, and the cloud's view of it before and after. */
export interface StartedWindow {
  window: RunningWindow;
  before: OpenStatusView;
  after: OpenStatusView;
}

/**
 * A window's start on this desktop: the last close delivered, the launch taken from the cloud (the
 * lease), the profile pulled or restored, Firefox started with the window's identity and proxy
 * behind the agent's BiDi session, and then watched: the lease renewed while it runs, the close
 * steps run when it ends by itself.
 */
@Injectable()
export class WindowOpener {
  private readonly logger = new Logger(WindowOpener.name);

  constructor(
    private readonly config: AgentConfig,
    private readonly cloud: AgentCloud,
    private readonly windows: RunningWindows,
    private readonly closer: WindowCloser,
    private readonly proxies: WindowProxies,
    private readonly outbox: CloseOutbox,
    private readonly events: AgentEvents,
    private readonly bidi: BidiSessions,
    private readonly profileSync: ProfileSync,
  ) {}

  /** Starts `window`'s Firefox with its identity, proxy and profile; the cloud holds it for this device until it closes. */
  async start(ref: { uuid: string; id?: number }): Promise<StartedWindow> {
    // The cloud must hold this device's last close before it hands out its (older) cookies.
    const lastClose = await new CloudWait(this.config.env.AGENT_CLOSE_REPORT_WAIT_MS).within(
      () => this.outbox.deliver(ref.uuid),
      (): Delivery => ({ state: 'pending', error: `the cloud did not take it within ${this.config.env.AGENT_CLOSE_REPORT_WAIT_MS} ms` }),
    );
    if (lastClose.state === 'pending') {
      throw new CloudAnswerError(
        ResultCode.Unavailable,
        `The last close of window ${ref.uuid} has not reached the cloud yet (${lastClose.error}); it is retried, open the window once it is`,
      );
    }
    // One call: the lease, and the window as it was before (404/409 when it cannot be opened here).
    const answer = await this.cloud.data<unknown>('/browser/launch', ref);
    let pid: number | null = null;
    let display: { pid: number; display: string } | null = null;
    try {
      // The cloud holds the lease from here: a refused answer releases it as any failed open does.
      const { launch, refusedCookies } = checkLaunchAnswer(answer, ref);
      if (refusedCookies > 0)
        this.logger.warn(`window ${ref.uuid}: ${refusedCookies} cookie(s) of the launch left out: no window can store them`);
      const window = launch.window;
      const proxy = await this.proxies.prepare(window.uuid, launch);
      const device = { firefoxMajor: this.config.firefoxMajor, realCores: this.config.realCores, uiLocales: this.config.uiLocales };
      const plan = planLaunch(launch, device, this.config.displayMode, proxy.route?.browser ?? null, proxy.exit);
      plan.env.FONTCONFIG_FILE = (await prepareFontConfig(this.config.path('fontconfig'), plan.identity.os, plan.identity.fonts)).file;
      if (this.config.displayMode === 'xvfb') {
        display = await startXvfb(plan.identity.screen.width, plan.identity.screen.height);
        plan.env.DISPLAY = display.display;
      }
      const profileDir = this.windows.profileDir(window.uuid);
      // A newer roaming version than this device's copy is fetched and swapped in before Firefox starts.
      const pulled = await this.profileSync.pull(window.uuid, profileDir, launch.profileVersion, launch.sync);
      // The seed's zip is this device's own last close: it fills in only what no roaming version gave.
      const restore = pulled || profileExists(profileDir) ? null : await restoreOrSetAside(this.windows.zipPath(window.uuid), profileDir);
      if (restore) {
        this.logger.warn(`profile zip of window ${window.uuid} could not be restored (${restore.error}); kept at ${restore.keptAt}`);
        this.events.emit('profile.restore_failed', window.uuid, { error: restore.error, keptAt: restore.keptAt });
      }
      // Cookies replaced in the cloud since this copy was made must not come back from its own jar.
      await dropCookiesOfOtherEpoch(profileDir, launch.cookiesEpoch);
      const configPath = this.config.path('firefox-launch-configs', `${window.uuid}.json`);
      const extensionDir = this.config.path('firefox-launch-configs', `${window.uuid}-extension`);
      writePrivate(configPath, JSON.stringify({ uuid: window.uuid, headless: this.config.headless, ...plan }, null, 2));
      await writeFingerprintExtension(extensionDir, plan.contentScript, proxy.route?.browser ?? null, plan.workerFiles);
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
          this.windows.registry.save({
            ...starting,
            pid: spawned,
            wsEndpoint: '',
            port: 0,
            startedAt: new Date().toISOString(),
            starting: true,
          });
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
      this.windows.registry.save(record);
      const started = this.track(record, firefox.exited);
      const after = await this.reportOpened(started);
      this.events.emit('window.opened', window.uuid, { id: window.id, pid: firefox.pid, wsEndpoint: bidi.endpoint });
      return {
        window: started,
        before: launch.before,
        after: statusOf(after),
      };
    } catch (error) {
      // At once: a session taken by another program must not be used one moment longer.
      if (pid !== null && isAlive(pid)) process.kill(pid, 'SIGKILL');
      if (error instanceof SessionTakenError) this.logger.warn(`window ${ref.uuid}: ${error.message}`);
      this.windows.registry.remove(ref.uuid);
      stopXvfb(display?.pid);
      await this.bidi.close(ref.uuid);
      await this.proxies.release(ref.uuid);
      await this.cloud.data('/browser/open-status/update', { uuid: ref.uuid, status: 'closed' }).catch(() => undefined);
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
    this.windows.set(window);
    void exited.then(() => {
      if (window.closing || this.windows.stopped) return;
      this.logger.log(`window ${window.uuid} ended by itself (closed by hand or crashed); finishing its close`);
      this.events.emit('firefox.exited', window.uuid, { id: window.id, pid: window.pid });
      window.closing = this.closer.finish(window, { cookies: null, killed: false }, 'exited');
      window.closing.then(
        (outcome) => outcome.storageError && this.logger.warn(outcome.storageError),
        (error) => this.logger.warn(`finishing window ${window.uuid} failed: ${(error as Error).message}`),
      );
    });
    return window;
  }

  /** Tells the cloud the window runs here, which renews its lease. */
  reportOpened(window: RunningWindow) {
    return this.cloud.data<unknown>('/browser/open-status/update', {
      uuid: window.uuid,
      status: 'opened',
      pid: window.pid,
    });
  }
}
