import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConflictError, DomainError, InsufficientStorageError, InvalidParamError, isUuid, NotFoundError, ResultCode } from '@cos/contracts';
import type { WindowRef, WindowResponse } from '@cos/contracts';
import { AgentCloud, CloudAnswerError } from '../cloud/agent-cloud';
import { statusOf } from '../cloud/launch-answer';
import { AgentEvents } from '../events/agent-events';
import { OneTimeWindows } from '../one-time/one-time-windows';
import { WindowProxies } from '../proxy/window-proxies';
import { CloudWait } from './cloud-wait';
import { isAlive } from './firefox-process';
import { RunningWindows } from './running-windows';
import { WindowAdoption } from './window-adoption';
import { closeAnswer, openAnswer } from './window-answers';
import { WindowCloser } from './window-closer';
import { WindowOpener } from './window-opener';
import type { OpenStatusView } from './window-types';

/**
 * The Local API's window calls, routed to their flows: open (WindowOpener), close (WindowCloser),
 * adoption of what an earlier agent left (WindowAdoption), one-time windows; each flow keeps the
 * cloud's view in step. A window runs only while this agent holds its BiDi session: a stopping
 * agent closes its windows (synced as any close), and the next agent closes what a killed one left.
 */
@Injectable()
export class BrowserWindowsService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(BrowserWindowsService.name);

  constructor(
    private readonly cloud: AgentCloud,
    private readonly windows: RunningWindows,
    private readonly opener: WindowOpener,
    private readonly closer: WindowCloser,
    private readonly adoption: WindowAdoption,
    private readonly proxies: WindowProxies,
    private readonly oneTime: OneTimeWindows,
    private readonly events: AgentEvents,
  ) {}

  onApplicationBootstrap(): void {
    this.adoption.finishLeftWindows();
  }

  /** A stopping agent closes its windows, each synced as any close: none runs without the agent holding its session. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.windows.opening.values()]);
    const closes = this.windows.all().map((w) => (w.closing ??= this.closer.closeRunning(w, this.closer.wait())));
    await Promise.allSettled(closes);
    this.windows.stopped = true;
    this.events.endStreams();
  }

  onApplicationShutdown(): void {
    this.windows.stopped = true;
    for (const window of this.windows.all()) clearInterval(window.renewTimer);
  }

  /** The cloud's view of the window `ref` names; an id and a uuid given together must name the same window. */
  async resolveWindow(ref: WindowRef): Promise<WindowResponse> {
    return this.cloud.data<WindowResponse>('/browser/detail', ref);
  }

  /**
   * A window not running here opens with one cloud call before Firefox starts (`/browser/launch`
   * answers the window, its lease and all the start needs) and one after (`opened`); a window
   * named by id alone is looked up first, unless it runs here.
   */
  async open(ref: WindowRef) {
    const uuid = ref.uuid ?? this.windows.find(ref)?.uuid ?? (await this.uuidOf(ref.id!));
    // A window going away is not an open one: its close (asked, or a Firefox that died) finishes first.
    const ending = this.windows.get(uuid);
    if (ending && (ending.closing || !isAlive(ending.pid))) {
      await (ending.closing ?? ending.exited).catch(() => undefined);
      if (this.windows.get(uuid)?.closing) throw new ConflictError(`Window ${uuid} is closing; open it once it has closed`);
    }
    const running = this.windows.get(uuid);
    const pending = this.windows.opening.get(uuid);
    if (running || pending) {
      const window = await this.resolveWindow({ ...ref, uuid });
      const started = running ?? (await pending!);
      return openAnswer(started, true, window, window);
    }
    const opening = this.opener.start({ ...ref, uuid });
    // Another open of the same window waits on this one (and handles its failure itself).
    const started = opening.then((s) => s.window).finally(() => this.windows.opening.delete(uuid));
    started.catch(() => undefined);
    this.windows.opening.set(uuid, started);
    const { window, before, after } = await opening;
    return openAnswer(window, false, before, after);
  }

  /**
   * The uuid of a window named by id alone. The lookup sees live windows only, so one it does not
   * find is asked of the launch, which tells a window in the recycle bin (409, as by uuid) from
   * one unknown or outside the caller's scope (404, worded alike) and changes nothing when it
   * refuses. A window restored in between is granted: the open that follows takes it again.
   */
  private async uuidOf(id: number): Promise<string> {
    const lookup = await this.resolveWindow({ id }).catch((error: unknown) => {
      if (error instanceof CloudAnswerError && error.code === ResultCode.NotFound) return null;
      throw error;
    });
    const uuid = lookup ? lookup.uuid : (await this.cloud.data<{ window?: { uuid?: unknown } }>('/browser/launch', { id })).window?.uuid;
    if (!isUuid(uuid)) throw new CloudAnswerError(ResultCode.Unavailable, `The cloud named window ${id} with no uuid`);
    return uuid;
  }

  /** A window created for this session only: deleted for good once it closes, or at once if it cannot open. */
  async openOneTime(settings: Record<string, unknown> = {}) {
    const created = await this.oneTime.create(settings);
    try {
      return { ...(await this.open({ uuid: created.uuid })), oneTime: true };
    } catch (error) {
      await this.oneTime.dispose(created.uuid, this.windows.windowFiles(created.uuid)).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Closing a window running here needs no cloud: its report waits in the outbox if the cloud is
   * away. The window is found as every call finds it: an id and a uuid given together must match.
   */
  async close(ref: WindowRef) {
    const uuid = this.windows.find(ref)?.uuid ?? (await this.resolveWindow(ref)).uuid;
    const running = this.windows.get(uuid) ?? (await this.windows.opening.get(uuid)?.catch(() => undefined));
    if (!running) throw new NotFoundError(`Window ${uuid} is not open on this device`);
    // Marked closing at once, before any cloud round trip: an open from now on waits for this close.
    // A cloud that hangs (stopped, overloaded) holds the close no longer than its wait; the outbox finishes the report.
    const wait = this.closer.wait();
    const beforeClose = this.cloudStatus(uuid, wait);
    running.closing ??= beforeClose.then(() => this.closer.closeRunning(running, wait));
    const outcome = await running.closing;
    const answer = closeAnswer(running, outcome, await beforeClose, await this.cloudStatus(uuid, wait));
    if (outcome.storageError) throw new InsufficientStorageError(outcome.storageError, answer);
    return answer;
  }

  async closeAll() {
    const windows = this.windows.all();
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
  async resetClosing(ref: WindowRef) {
    const window = await this.resolveWindow(ref);
    const running = this.windows.get(window.uuid);
    if (running && isAlive(running.pid) && !running.closing) {
      return { uuid: window.uuid, reset: false, msg: 'Window is running on this device; close it instead' };
    }
    if (running) {
      clearInterval(running.renewTimer);
      this.windows.delete(window.uuid);
    }
    this.windows.opening.delete(window.uuid);
    this.windows.registry.remove(window.uuid);
    await this.proxies.release(window.uuid);
    const after = await this.cloud.data('/browser/open-status/update', {
      uuid: window.uuid,
      status: 'closed',
    });
    return { uuid: window.uuid, reset: true, openedStatus: after };
  }

  /** `/browser/proxy/refresh`: the provider's refresh URL, and a fresh extraction at the next open. */
  async refreshProxy(ref: WindowRef) {
    const window = await this.resolveWindow(ref);
    if (!window.refreshProxyUrl && window.proxyMethod !== 3) {
      throw new InvalidParamError('This window has no refreshProxyUrl and no API-extracted proxy to refresh');
    }
    return { id: window.id, uuid: window.uuid, ...(await this.proxies.refresh(window.uuid, window)) };
  }

  private async cloudStatus(uuid: string, wait?: CloudWait): Promise<OpenStatusView> {
    const ask = (timeoutMs?: number) => this.cloud.data<WindowResponse>('/browser/detail', { uuid }, timeoutMs).catch(() => null);
    const window = wait ? await wait.within(ask, () => null) : await ask();
    return statusOf(window);
  }
}
