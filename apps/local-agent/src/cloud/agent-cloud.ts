import { Injectable } from '@nestjs/common';
import { CloudClient, CloudUnreachableError } from '@cos/cloud-client';
import { ApiEnvelope, DomainError, ResultCode } from '@cos/contracts';
import { AgentConfig } from '../config/agent-config';
import { FileSessionStore } from '../identity/agent-files';

/** A cloud answer that was not success, carried to the local caller with the cloud's code and msg. */
export class CloudAnswerError extends DomainError {}

/** The cloud client of this agent, signed in through the session file the CLI writes. */
@Injectable()
export class AgentCloud extends CloudClient {
  constructor(config: AgentConfig) {
    super(config.env.CLOUD_URL, new FileSessionStore(config), {
      callMs: config.env.AGENT_CLOUD_TIMEOUT_MS,
      transferMs: config.env.AGENT_TRANSFER_TIMEOUT_MS,
    });
  }

  /** Calls the cloud and returns `data`, or throws the cloud's own code and message. */
  async data<T>(path: string, body: object, timeoutMs?: number, signal?: AbortSignal): Promise<T> {
    let answer: ApiEnvelope<T>;
    try {
      answer = await this.call<T>(path, body, timeoutMs, signal);
    } catch (error) {
      if (error instanceof CloudUnreachableError) throw new CloudAnswerError(ResultCode.Unavailable, error.message);
      throw error;
    }
    if (answer.code !== 0) throw new CloudAnswerError(answer.code as ResultCode, answer.msg);
    return answer.data;
  }
}
