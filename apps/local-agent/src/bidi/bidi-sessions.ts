import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ConnectionTransport } from 'puppeteer-core';
import { AgentConfig } from '../config/agent-config';
import { LocalToken } from '../identity/agent-files';
import { BidiMultiplexer } from './bidi-multiplexer';

/**
 * The BiDi multiplexer of each running window. The agent never ends a window's session: when its
 * connection to Firefox closes (the window closed, the agent stopped or was killed) Firefox keeps
 * the session and lets no one take another, so nobody reaches the window without the local token.
 */
@Injectable()
export class BidiSessions implements OnApplicationShutdown {
  private readonly muxes = new Map<string, BidiMultiplexer>();

  constructor(
    private readonly token: LocalToken,
    private readonly config: AgentConfig,
  ) {}

  async open(uuid: string, firefoxEndpoint: string): Promise<BidiMultiplexer> {
    await this.close(uuid);
    const mux = await BidiMultiplexer.start(firefoxEndpoint, () => this.token.current(), {
      maxMessageBytes: this.config.env.AGENT_BIDI_MESSAGE_MAX_BYTES,
      maxClients: this.config.env.AGENT_BIDI_CLIENTS_MAX,
    });
    this.muxes.set(uuid, mux);
    return mux;
  }

  /** How the agent's own puppeteer reaches a window: in process through its multiplexer; null when it holds none. */
  client(uuid: string): ConnectionTransport | null {
    return this.muxes.get(uuid)?.localTransport() ?? null;
  }

  /** The window's multiplexer now. */
  get(uuid: string): BidiMultiplexer | undefined {
    return this.muxes.get(uuid);
  }

  async close(uuid: string): Promise<void> {
    const mux = this.muxes.get(uuid);
    this.muxes.delete(uuid);
    await mux?.close();
  }

  /** Windows still open here at the end (their close failed) keep their sessions, held for nobody. */
  async onApplicationShutdown(): Promise<void> {
    const muxes = [...this.muxes.values()];
    this.muxes.clear();
    await Promise.all(muxes.map((mux) => mux.close()));
  }
}
