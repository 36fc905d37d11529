import { Injectable } from '@nestjs/common';
import { mkdirSync, readdirSync } from 'node:fs';
import { NotFoundError } from '@cos/contracts';
import type { WindowRef } from '@cos/contracts';
import { AgentConfig } from '../config/agent-config';
import { isAlive } from './firefox-process';
import { WindowRecord, WindowRegistry } from './window-registry';
import type { RunningWindow } from './window-types';

/**
 * The windows of this desktop: those running (or ending), those whose open is under way, their
 * records for the next agent, and where each keeps its files. Every flow (open, close, adoption)
 * reads and writes them here; lookups never ask the cloud.
 */
@Injectable()
export class RunningWindows {
  private readonly running = new Map<string, RunningWindow>();
  /** Opens under way, by uuid: a second open of the same window waits for the first. */
  readonly opening = new Map<string, Promise<RunningWindow>>();
  readonly registry: WindowRegistry;
  /** Set at shutdown, after its windows closed: an exit from then on is nobody's to finish. */
  stopped = false;

  constructor(private readonly config: AgentConfig) {
    this.registry = new WindowRegistry(config.path('runtime'));
    for (const dir of ['browser-cache/firefox-profiles', 'firefox-launch-configs', 'uploaded-profile-zips']) {
      mkdirSync(config.path(dir), { recursive: true, mode: 0o700 });
    }
  }

  get(uuid: string): RunningWindow | undefined {
    return this.running.get(uuid);
  }

  set(window: RunningWindow): void {
    this.running.set(window.uuid, window);
  }

  delete(uuid: string): void {
    this.running.delete(uuid);
  }

  all(): RunningWindow[] {
    return [...this.running.values()];
  }

  /** The window `ref` names among those here (running or ending), if any. */
  find(ref: WindowRef): RunningWindow | undefined {
    return this.all().find((w) => (ref.uuid === undefined || w.uuid === ref.uuid) && (ref.id === undefined || w.id === ref.id));
  }

  /** A window running on this device, found without asking the cloud; 404 "Browser not running" otherwise. */
  runningWindow(ref: WindowRef): Pick<WindowRecord, 'id' | 'uuid' | 'wsEndpoint'> {
    const window = this.find(ref);
    if (!window || window.closing || !isAlive(window.pid)) throw new NotFoundError('Browser not running');
    return window;
  }

  isRunning(uuid: string): boolean {
    const window = this.running.get(uuid);
    return window !== undefined && !window.closing && isAlive(window.pid);
  }

  count(): number {
    return this.running.size;
  }

  pids() {
    return { list: this.all().map((w) => ({ id: w.id, uuid: w.uuid, pid: w.pid })) };
  }

  ports() {
    return { list: this.all().map((w) => ({ id: w.id, uuid: w.uuid, port: w.port, wsEndpoint: w.wsEndpoint })) };
  }

  profileDir(uuid: string): string {
    return this.config.path('browser-cache', 'firefox-profiles', uuid);
  }

  zipPath(uuid: string): string {
    return this.config.path('uploaded-profile-zips', `${uuid}.zip`);
  }

  /** Every file this device keeps for a window: profile, zips, launch configuration, log. */
  windowFiles(uuid: string): string[] {
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
}
