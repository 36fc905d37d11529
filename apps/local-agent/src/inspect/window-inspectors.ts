import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { Subscription } from 'rxjs';
import { DomainError, NotFoundError, PageActionError, ResultCode } from '@cos/contracts';
import type { WindowRef } from '@cos/contracts';
import { BidiMultiplexer } from '../bidi/bidi-multiplexer';
import { BidiSessions } from '../bidi/bidi-sessions';
import { RunningWindows } from '../browser/running-windows';
import { AgentConfig } from '../config/agent-config';
import { AgentEvents } from '../events/agent-events';
import { BidiClient, BidiClosedError, BidiCommandError } from './bidi-client';
import { WindowDownloads } from './window-downloads';
import { WindowInspector } from './window-inspector';

export interface InspectedWindow {
  id: number;
  uuid: string;
  inspector: WindowInspector;
}

/**
 * The inspection's client of every running window, attached when the window opens (a window
 * runs only under the agent that opened it) so its logs, downloads and dialogs are kept from the start, and again whenever the
 * window's multiplexer is replaced. The window's close ends the client with the multiplexer.
 */
@Injectable()
export class WindowInspectors implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(WindowInspectors.name);
  private readonly attached = new Map<string, { mux: BidiMultiplexer; inspector: Promise<WindowInspector> }>();
  /** Multiplexers an attach failed on: retried only by a call that asks for them. */
  private readonly failed = new WeakSet<BidiMultiplexer>();
  private subscription: Subscription | null = null;

  constructor(
    private readonly windows: RunningWindows,
    private readonly bidi: BidiSessions,
    private readonly events: AgentEvents,
    private readonly config: AgentConfig,
  ) {}

  onModuleInit(): void {
    this.subscription = this.events.emitted().subscribe((event) => {
      if (event.kind === 'window.opened') this.attachQuietly(event.uuid);
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    for (const entry of this.attached.values()) void entry.inspector.then((i) => i.close()).catch(() => undefined);
    this.attached.clear();
  }

  /**
   * Runs `work` on a running window's inspector and words every failure: a window gone is 404
   * "Browser not running", a refusal of the page or of Firefox is 422 with its reason.
   */
  async run<T>(windowRef: WindowRef, work: (window: InspectedWindow) => Promise<T>): Promise<T> {
    const window = this.windows.runningWindow(windowRef);
    try {
      const inspector = await this.inspector(window.uuid);
      return await work({ id: window.id, uuid: window.uuid, inspector });
    } catch (error) {
      if (!this.windows.isRunning(window.uuid)) throw new NotFoundError('Browser not running');
      if (error instanceof DomainError) throw error;
      if (error instanceof BidiClosedError)
        throw new DomainError(ResultCode.Unavailable, "The window's BiDi session is being taken again; retry");
      if (error instanceof BidiCommandError && /no such frame/.test(error.error)) {
        throw new PageActionError('The tab or frame went away during the call (closed or navigated)');
      }
      throw new PageActionError((error as Error).message);
    }
  }

  /** Attaches when the window has a multiplexer and none is attached to it; a failure is told once per multiplexer. */
  private attachQuietly(uuid: string): void {
    const mux = this.bidi.get(uuid);
    if (!mux || !this.windows.isRunning(uuid) || this.failed.has(mux) || this.attached.get(uuid)?.mux === mux) return;
    this.inspector(uuid).catch((error: Error) => {
      this.failed.add(mux);
      this.logger.warn(`could not inspect window ${uuid}: ${error.message}`);
    });
  }

  private inspector(uuid: string): Promise<WindowInspector> {
    const mux = this.bidi.get(uuid);
    if (!mux) return Promise.reject(new NotFoundError('Browser not running'));
    const known = this.attached.get(uuid);
    if (known && known.mux === mux) return known.inspector;
    void known?.inspector.then((old) => old.close()).catch(() => undefined);
    const client = new BidiClient(mux.localTransport());
    const downloads = new WindowDownloads(join(this.windows.profileDir(uuid), 'downloads'), this.config.env.AGENT_DOWNLOADS_MAX_BYTES);
    const inspector = new WindowInspector(uuid, client, downloads, this.config.env.AGENT_LOG_ENTRIES);
    const entry = { mux, inspector: inspector.start().then(() => inspector) };
    this.attached.set(uuid, entry);
    const forget = () => {
      if (this.attached.get(uuid) === entry) this.attached.delete(uuid);
    };
    client.onClose(forget);
    entry.inspector.catch(() => (forget(), client.close()));
    return entry.inspector;
  }
}
