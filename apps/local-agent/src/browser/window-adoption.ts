import { Injectable, Logger } from '@nestjs/common';
import { AgentCloud } from '../cloud/agent-cloud';
import { AgentConfig } from '../config/agent-config';
import { AgentEvents } from '../events/agent-events';
import { OneTimeWindows } from '../one-time/one-time-windows';
import { isFirefoxOn, terminateFirefox, whenGone } from './firefox-process';
import { RunningWindows } from './running-windows';
import { WindowCloser } from './window-closer';
import { stopXvfb } from './xvfb-display';
import type { CloseOutcome, RunningWindow } from './window-types';

/**
 * Windows an earlier agent left: one still running (the agent was killed) is closed and synced, as
 * this agent cannot take its session; one that ended meanwhile is finished; one whose open never
 * completed is stopped and released, syncing nothing (its setup never finished).
 */
@Injectable()
export class WindowAdoption {
  private readonly logger = new Logger(WindowAdoption.name);

  constructor(
    private readonly config: AgentConfig,
    private readonly cloud: AgentCloud,
    private readonly windows: RunningWindows,
    private readonly closer: WindowCloser,
    private readonly events: AgentEvents,
    private readonly oneTime: OneTimeWindows,
  ) {}

  finishLeftWindows(): void {
    const records = this.windows.registry.all();
    const recorded = new Set(records.map((r) => r.uuid));
    for (const record of records) {
      const alive = isFirefoxOn(record.pid, record.profileDir);
      const exited = alive ? whenGone(record.pid) : Promise.resolve();
      const window: RunningWindow = { ...record, exited, renewTimer: setTimeout(() => undefined, 0), closing: null };
      this.windows.set(window);
      window.closing = (record.starting ? this.abandon(window, alive) : this.recover(window, alive))
        .then((outcome) => {
          this.logger.log(`closed window ${record.uuid}, which an earlier agent left ${alive ? 'running' : 'ended'}`);
          return outcome;
        })
        .catch((error: Error) => {
          this.logger.warn(`could not finish window ${record.uuid}: ${error.message}`);
          this.windows.delete(record.uuid);
          throw error;
        });
      window.closing.catch(() => undefined);
    }
    // One-time windows whose deletion an earlier agent did not finish (those above finish through their close).
    this.oneTime.resume(
      (uuid) => recorded.has(uuid),
      (uuid) => this.windows.windowFiles(uuid),
    );
  }

  private async recover(window: RunningWindow, alive: boolean): Promise<CloseOutcome> {
    const killed = alive ? await terminateFirefox(window.pid, window.exited, this.config.env.AGENT_CLOSE_TIMEOUT_MS) : false;
    return this.closer.finish(window, { cookies: null, killed }, 'recovered');
  }

  /** A window whose open an earlier agent never finished: stopped, its files kept, nothing synced. */
  private async abandon(window: RunningWindow, alive: boolean): Promise<CloseOutcome> {
    const killed = alive ? await terminateFirefox(window.pid, window.exited, this.config.env.AGENT_CLOSE_TIMEOUT_MS) : false;
    stopXvfb(window.displayPid);
    this.windows.delete(window.uuid);
    this.windows.registry.remove(window.uuid);
    await this.cloud.data('/browser/open-status/update', { uuid: window.uuid, status: 'closed' }).catch(() => undefined);
    const oneTime = this.oneTime.has(window.uuid) ? await this.oneTime.dispose(window.uuid, this.windows.windowFiles(window.uuid)) : null;
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
}
