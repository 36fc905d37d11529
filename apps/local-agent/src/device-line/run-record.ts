import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { hideSecrets } from '@cos/contracts';
import { AgentCloud } from '../cloud/agent-cloud';

/** A window run's log, at most: lines, and characters per line (the cloud keeps the same). */
const LOG_LINES_MAX = 200;
const LOG_TEXT_MAX = 500;

export interface LogLine {
  ms: number;
  text: string;
}

/**
 * What a window run done on this device keeps beside its step results: a log told as the run goes
 * (open, each step, screenshots, close and sync), and its screenshots, each sent to the cloud as the
 * run's own (the cloud takes them only from the device it sent the run to, while it is under way)
 * and named in the results by id, never carried in the answer.
 */
export class RunRecord {
  private readonly started = Date.now();
  readonly log: LogLine[] = [];

  constructor(
    private readonly cloud: AgentCloud,
    private readonly commandId: string,
    /** The run's secret values: taken out of every line before it is cut. */
    private readonly secrets: readonly string[] = [],
  ) {}

  note(text: string): void {
    if (this.log.length < LOG_LINES_MAX)
      this.log.push({ ms: Date.now() - this.started, text: hideSecrets(text, this.secrets).slice(0, LOG_TEXT_MAX) });
  }

  /** A step's result as it is made: told in the log, its screenshot sent now and named by id (or why it was not kept). */
  async step(result: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { png, ...rest } = result;
    this.note(`step ${String(rest.index)} (${String(rest.type)}) done in ${String(rest.ms)} ms`);
    return typeof png === 'string' ? { ...rest, ...(await this.keepShot(png, rest.index as number)) } : rest;
  }

  /** Sends one screenshot (base64 PNG) to the cloud; a refusal or a cloud away is told, never fails the run. */
  async keepShot(png: string, step: number | null): Promise<{ shot: string } | { shotError: string }> {
    const bytes = Buffer.from(png, 'base64');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const where = `/run/shot?commandId=${this.commandId}&sha256=${sha256}${step === null ? '' : `&step=${step}`}`;
    try {
      const answer = await this.cloud.upload<{ id: string }>(
        where,
        () => Readable.toWeb(Readable.from([bytes])) as ReadableStream<Uint8Array>,
        bytes.length,
      );
      if (answer.code !== 0) throw new Error(answer.msg);
      this.note(`screenshot${step === null ? '' : ` at step ${step}`} kept (${bytes.length} bytes)`);
      return { shot: answer.data.id };
    } catch (error) {
      const why = (error as Error).message.slice(0, 300);
      this.note(`screenshot${step === null ? '' : ` at step ${step}`} not kept: ${why}`);
      return { shotError: why };
    }
  }
}
