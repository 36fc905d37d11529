import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ConnectionTransport } from 'puppeteer-core';
import { LocalToken } from '../identity/agent-files';
import { BidiMultiplexer } from './bidi-multiplexer';

/**
 * The BiDi multiplexer of each running window. When the agent stops it ends its sessions (the
 * windows keep running) and the next agent takes them again at adoption. An agent that is killed
 * cannot: Firefox keeps the session, and the adopted window runs without automation until it is
 * closed (its close then reads cookies from the profile).
 */
@Injectable()
export class BidiSessions implements OnApplicationShutdown {
  private readonly muxes = new Map<string, BidiMultiplexer>();

  constructor(private readonly token: LocalToken) {}

  /** `port`: the port an earlier agent served this window on (adoption after a restart), reused when free. */
  async open(uuid: string, firefoxEndpoint: string, port?: number): Promise<BidiMultiplexer> {
    await this.close(uuid);
    const mux = await BidiMultiplexer.start(firefoxEndpoint, () => this.token.current(), port);
    this.muxes.set(uuid, mux);
    return mux;
  }

  /** How the agent's own puppeteer reaches a window: in process through its multiplexer, else over `wsEndpoint`. */
  client(uuid: string, wsEndpoint: string): string | ConnectionTransport {
    return this.muxes.get(uuid)?.localTransport() ?? wsEndpoint;
  }

  /** The window's multiplexer now; a new one after the session is taken again. */
  get(uuid: string): BidiMultiplexer | undefined {
    return this.muxes.get(uuid);
  }

  async close(uuid: string): Promise<void> {
    const mux = this.muxes.get(uuid);
    this.muxes.delete(uuid);
    await mux?.close();
  }

  /** The windows outlive the agent: their sessions are ended so the next agent can take them. */
  async onApplicationShutdown(): Promise<void> {
    const muxes = [...this.muxes.values()];
    this.muxes.clear();
    await Promise.all(muxes.map((mux) => mux.release()));
  }
}
