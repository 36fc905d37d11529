import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { hideSecrets, ResultCode } from '@cos/contracts';
import { AuditLog } from '../audit/audit-log';
import { ClusterBus } from '../cluster/cluster-bus';
import { CloudConfig } from '../config/cloud-config';
import { SecretBox } from '../crypto/secret-box';
import { RunDispatcher } from './run-dispatcher';
import { RunStore, Settled, WindowRunStatus } from './run-store';

/** Running runs each instance moves on per sweep, at most. */
const SWEEP_RUNS_MAX = 100;

/**
 * Records how each window run ended, once, on whichever instance hears of it first: the device's
 * answer (succeeded, failed, canceled), or its line lost after the command was sent (`agent_lost`,
 * run again on that device when it is back if the task allows retries). Every instance also
 * sweeps: ends whose word it missed, and running runs with work to send or to finish.
 */
@Injectable()
export class RunResults implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunResults.name);
  private sweeper?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly runs: RunStore,
    private readonly dispatcher: RunDispatcher,
    private readonly audit: AuditLog,
    private readonly config: CloudConfig,
    private readonly box: SecretBox,
    bus: ClusterBus,
  ) {
    bus.subscribe((event) => {
      if (event.kind === 'device-answer')
        void this.settle(event.commandId).catch((error: Error) => this.logger.warn(`run result not recorded: ${error.message}`));
    });
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.sweep(), this.config.env.RUN_SWEEP_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  /** Records the ends of one command's window run (or of every one not recorded yet) and moves their runs on. */
  async settle(commandId: string | null): Promise<void> {
    for (const settled of await this.runs.settled(commandId)) {
      // Every secret the window run was sent with, in each form a page may repeat it, is taken out before anything is cut.
      const hidden = hideSecrets(outcomeOf(settled), [
        ...(settled.secrets ? Object.values(JSON.parse(this.box.open(settled.secrets)) as Record<string, string>) : []),
        ...(settled.secretsUsed ? (JSON.parse(this.box.open(settled.secretsUsed)) as string[]) : []),
      ]);
      const outcome = { ...hidden, log: logOf(hidden.log) };
      if (!(await this.runs.record(settled, outcome))) continue;
      await this.runs.forgetAnswer(settled.commandId);
      await this.db.transaction((manager) =>
        this.audit.record(manager, {
          teamId: settled.teamId,
          actorId: settled.actorId,
          kind: 'run.window',
          data: { runId: settled.runId, windowId: settled.windowId, status: outcome.status },
        }),
      );
      await this.dispatcher.advance(settled.runId);
    }
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.settle(null);
      for (const runId of await this.runs.active(SWEEP_RUNS_MAX)) await this.dispatcher.advance(runId);
    } catch (error) {
      this.logger.warn(`run sweep failed: ${(error as Error).message}`);
    } finally {
      this.sweeping = false;
    }
  }
}

type Outcome = { status: WindowRunStatus; results: unknown; captured: unknown; error: string | null; log: unknown };
type LogLine = { ms: number; text: string };
/** A window run's log as kept: lines of text with their time, at most this many of this length. */
const LOG_LINES_MAX = 200;
const LOG_TEXT_MAX = 500;

/** The device's log by allowlist: `{ms, text}` lines only, counted and cut; anything else is left out. */
function logOf(value: unknown): LogLine[] | null {
  if (!Array.isArray(value)) return null;
  return value
    .filter((line): line is LogLine => {
      const l = line as Partial<LogLine> | null;
      return typeof l === 'object' && l !== null && Number.isInteger(l.ms) && (l.ms as number) >= 0 && typeof l.text === 'string';
    })
    .slice(0, LOG_LINES_MAX)
    .map((line) => ({ ms: line.ms, text: line.text.slice(0, LOG_TEXT_MAX) }));
}

function outcomeOf(settled: Settled): Outcome {
  const canceledRun = settled.runStatus === 'canceled';
  if (settled.commandStatus !== 'answered' || !settled.answer) {
    const status: WindowRunStatus = canceledRun ? 'canceled' : 'agent_lost';
    const error =
      settled.commandStatus === 'expired' ? 'The device did not take the run in time' : 'The device went offline before it answered';
    return { status, results: null, captured: null, error, log: null };
  }
  const { code, msg, data } = settled.answer;
  const results = Array.isArray(data.results) ? data.results : null;
  const captured = data.captured && typeof data.captured === 'object' ? data.captured : null;
  const log = data.log;
  if (code === ResultCode.Ok) return { status: 'succeeded', results, captured, error: null, log };
  const status: WindowRunStatus = data.canceled === true ? 'canceled' : 'failed';
  return { status, results, captured, error: `${msg}${code === ResultCode.ActionFailed ? '' : ` (code ${code})`}`, log };
}
