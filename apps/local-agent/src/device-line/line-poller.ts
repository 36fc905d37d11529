import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { parseCloudMessage } from '@cos/contracts';
import type { AgentLineMessage, ApiEnvelope, DeviceCommand } from '@cos/contracts';
import { AgentCloud } from '../cloud/agent-cloud';

type Hello = Omit<Extract<AgentLineMessage, { type: 'hello' }>, 'type'>;

export interface PollerHooks {
  hello(): Hello;
  run(command: DeviceCommand): Promise<ApiEnvelope>;
  online(polling: boolean): void;
  /** The wait before the next attempt after `failures` failed polls. */
  backoff(failures: number): number;
}

/** Commands one poll answer may carry (the cloud sends at most its in-flight bound). */
const POLL_COMMANDS_MAX = 64;

/** Answers not taken by the cloud are sent again this many times. */
const ANSWER_TRIES = 3;

/**
 * The device line as long-polls (`/device/line/poll`, `/device/line/answer`), for a cloud reached
 * through a proxy that drops WebSocket upgrades. One line id per poller; each poll is the hello
 * and the heartbeat, and waits no longer than the cloud's heartbeat (so the device never reads
 * offline between polls) nor the agent's call bound.
 */
export class LinePoller {
  private readonly logger = new Logger(LinePoller.name);
  private readonly line = randomUUID();
  private readonly stopping = new AbortController();

  constructor(
    private readonly cloud: AgentCloud,
    private readonly hooks: PollerHooks,
    private readonly callMs: number,
  ) {}

  stop(): void {
    this.stopping.abort();
  }

  /** Polls until stopped or `untilMs` (a time by the clock) passes. */
  async run(untilMs: number): Promise<void> {
    let heartbeatMs = 0;
    let failures = 0;
    while (!this.stopping.signal.aborted && Date.now() < untilMs) {
      if (!this.cloud.session()) {
        this.hooks.online(false);
        await this.pause(2_000);
        continue;
      }
      const waitMs = Math.max(0, Math.min(25_000, heartbeatMs, this.callMs - 2_000));
      try {
        const answer = await this.cloud.data<{ heartbeatMs: number; commands: unknown[] }>(
          '/device/line/poll',
          { line: this.line, hello: this.hooks.hello(), waitMs },
          waitMs + 2_000,
          this.stopping.signal,
        );
        // What the cloud says is read by allowlist too: a beat from 1 s to 10 min, at most 64 commands.
        if (!Number.isSafeInteger(answer.heartbeatMs) || answer.heartbeatMs < 1_000 || answer.heartbeatMs > 600_000)
          throw new Error('poll answer: heartbeatMs out of range');
        if (!Array.isArray(answer.commands) || answer.commands.length > POLL_COMMANDS_MAX)
          throw new Error('poll answer: commands not a short list');
        heartbeatMs = answer.heartbeatMs;
        failures = 0;
        this.hooks.online(true);
        for (const raw of answer.commands) {
          const command = parseCloudMessage(JSON.stringify(raw));
          if (typeof command === 'string' || command.type !== 'command') {
            this.logger.warn(
              `device line poll: the cloud sent what this agent does not take (${typeof command === 'string' ? command : command.type})`,
            );
            continue;
          }
          void this.answer(command);
        }
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        if (failures === 0) this.logger.warn(`device line poll failed: ${(error as Error).message}`);
        failures += 1;
        this.hooks.online(false);
        await this.pause(this.hooks.backoff(failures));
      }
    }
  }

  private async answer(command: DeviceCommand): Promise<void> {
    const { code, msg, data } = await this.hooks.run(command);
    for (let attempt = 1; attempt <= ANSWER_TRIES && !this.stopping.signal.aborted; attempt++) {
      try {
        await this.cloud.data('/device/line/answer', { line: this.line, answer: { commandId: command.commandId, code, msg, data } });
        return;
      } catch {
        await this.pause(this.hooks.backoff(attempt));
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.stopping.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
