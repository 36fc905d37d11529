import { Injectable, Logger } from '@nestjs/common';
import { DEVICE_LINE_MESSAGE_MAX, DomainError, hideSecrets, remoteAnswerData, ResultCode, storableText } from '@cos/contracts';
import type { ApiEnvelope, DeviceCommand, WindowRef } from '@cos/contracts';
import { WindowAutomation } from '../automation/window-automation';
import { BrowserWindowsService } from '../browser/browser-windows.service';
import { RunningWindows } from '../browser/running-windows';
import { AgentCloud } from '../cloud/agent-cloud';
import { RunRecord } from './run-record';

/** An answer's data, at most: it goes back as one line message. */
const ANSWER_MAX = DEVICE_LINE_MESSAGE_MAX - 4 * 1024;
/** A failure's message and each of its words, at most. */
const TEXT_KEPT = 1000;

/**
 * A task's steps run on a window of this device, asked through the cloud: the steps were checked
 * by the line's allowlist and are checked again here with this agent's key names. The window is
 * opened as any open (the agent's own launch, so the lease is this device's and the cloud's
 * refusal — the window held elsewhere, out of scope — is the answer), driven through the same
 * automation as `/browser/actions`, and closed (its profile synced) if the run opened it. Eval
 * steps run in the page's realm, with the page's rights; nothing of a run runs on the desktop.
 */
@Injectable()
export class RemoteRuns {
  private readonly logger = new Logger(RemoteRuns.name);
  /** Runs going on here, by window uuid: a cancel stops the one on its window between steps. */
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly windows: BrowserWindowsService,
    private readonly runningWindows: RunningWindows,
    private readonly automation: WindowAutomation,
    private readonly cloud: AgentCloud,
  ) {}

  async run(command: DeviceCommand): Promise<ApiEnvelope> {
    const uuid = command.window.uuid;
    if (!uuid || !command.run)
      return { code: ResultCode.InvalidParam, msg: 'A run names its window by uuid and carries its steps', data: {} };
    if (this.running.has(uuid))
      return { code: ResultCode.Conflict, msg: `A run is going on in window ${uuid} on this device already`, data: {} };
    const controller = new AbortController();
    this.running.set(uuid, controller);
    const ref = command.window as WindowRef;
    const openedByRun = !this.runningWindows.isRunning(uuid);
    const secrets = command.run.secrets ?? [];
    const record = new RunRecord(this.cloud, command.commandId, secrets);
    this.logger.log(`run of ${command.run.steps.length} steps in window ${uuid} asked through the cloud`);
    try {
      if (openedByRun) {
        record.note('opening the window');
        await this.windows.open(ref);
        record.note('window open');
      } else record.note('the window was open already');
      const done = await this.automation.actions(ref, command.run.steps, command.run.timeoutMs, controller.signal, (r) => record.step(r));
      const results = done.results;
      const closed = await this.closeIf(openedByRun, ref, record);
      const answer = { id: done.id, uuid: done.uuid, results, captured: capturedOf(results), openedByRun, ...closed, log: record.log };
      return { code: 0, msg: 'success', data: bounded(hideSecrets(remoteAnswerData('run', answer), secrets)) };
    } catch (error) {
      const failure = error instanceof DomainError ? error : new DomainError(ResultCode.ActionFailed, (error as Error).message);
      // Secrets out first: what follows cuts texts to length, and a cut through a secret would leave part of it.
      const data = hideSecrets(failure.data, secrets);
      const results = Array.isArray(data.results) ? (data.results as Record<string, unknown>[]) : [];
      record.note(`${data.canceled === true ? 'canceled' : 'failed'}: ${failure.message}`);
      if (data.canceled !== true && this.runningWindows.isRunning(uuid)) await this.failureShot(ref, record, data.failed);
      const closed = await this.closeIf(openedByRun && this.runningWindows.isRunning(uuid), ref, record);
      const answer = {
        uuid,
        results,
        captured: capturedOf(results),
        failed: shortened(data.failed),
        canceled: data.canceled === true || undefined,
        openedByRun,
        ...closed,
        log: record.log,
      };
      return {
        code: failure.code,
        msg: storableText(hideSecrets(failure.message, secrets).slice(0, TEXT_KEPT)),
        data: bounded(hideSecrets(remoteAnswerData('run', answer), secrets)),
      };
    } finally {
      this.running.delete(uuid);
    }
  }

  /** Stops the run going on in the window after its current step; its own answer says it was canceled. */
  cancel(command: DeviceCommand): ApiEnvelope {
    const uuid = command.window.uuid ?? '';
    const run = this.running.get(uuid);
    run?.abort();
    return { code: 0, msg: 'success', data: remoteAnswerData('cancel', { uuid, canceled: run !== undefined }) };
  }

  /** The page as the failing step left it, kept with the run (the step it failed at, when named). */
  private async failureShot(ref: WindowRef, record: RunRecord, failed: unknown): Promise<void> {
    const index = (failed as { index?: unknown } | undefined)?.index;
    try {
      const shot = await this.automation.screenshot(ref);
      await record.keepShot(shot.data, Number.isInteger(index) ? (index as number) : null);
    } catch (error) {
      record.note(`no screenshot of the failure: ${(error as Error).message}`);
    }
  }

  /** A window the run opened is closed (and synced) whatever the steps did. */
  private async closeIf(opened: boolean, ref: WindowRef, record: RunRecord): Promise<Record<string, unknown>> {
    if (!opened) return {};
    try {
      const closed = await this.windows.close(ref);
      record.note(closed.close.error ? `closed; ${closed.close.error}` : 'closed and synced');
      return closed.close.error ? { closeError: closed.close.error } : {};
    } catch (error) {
      record.note(`close failed: ${(error as Error).message}`);
      return { closeError: (error as Error).message.slice(0, 500) };
    }
  }
}

/** The values the steps captured, by the name each `as` gave. */
function capturedOf(results: readonly Record<string, unknown>[]): Record<string, unknown> {
  const captured: Record<string, unknown> = {};
  for (const result of results) if (typeof result.as === 'string') captured[result.as] = result.value ?? null;
  return captured;
}

/** A failure's own words (the step, what it waited for, the page's error) cut to a length the line carries. */
function shortened(failed: unknown): unknown {
  if (typeof failed !== 'object' || failed === null) return failed;
  return Object.fromEntries(Object.entries(failed).map(([k, v]) => [k, typeof v === 'string' ? v.slice(0, TEXT_KEPT) : v]));
}

/**
 * The answer within one line message, in text the cloud can store (a page's NUL characters and
 * unpaired surrogates become U+FFFD): values too large to send are replaced by their size.
 */
function bounded(raw: Record<string, unknown>): Record<string, unknown> {
  const answer = storableText(raw);
  if (Buffer.byteLength(JSON.stringify(answer)) <= ANSWER_MAX) return answer;
  const tooLarge = (value: unknown) => {
    const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
    return bytes > 2048 ? `[not sent: ${bytes} bytes]` : value;
  };
  const captured = Object.fromEntries(Object.entries(answer.captured as Record<string, unknown>).map(([k, v]) => [k, tooLarge(v)]));
  const results = (answer.results as Record<string, unknown>[]).map((r) => ('value' in r ? { ...r, value: tooLarge(r.value) } : r));
  const log = (answer.log as { ms: number; text: string }[] | undefined)?.map((l) => ({ ms: l.ms, text: l.text.slice(0, 200) }));
  const smaller = { ...answer, captured, results, log };
  if (Buffer.byteLength(JSON.stringify(smaller)) <= ANSWER_MAX) return smaller;
  const rest: Record<string, unknown> = { ...smaller };
  delete rest.failed;
  return {
    ...rest,
    captured: {},
    results: results.map(({ index, type, ok, ms, shot }) => ({ index, type, ok, ms, shot })),
    log: log?.slice(0, 40),
    truncated: true,
  };
}
