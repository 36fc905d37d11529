import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Browser, Page } from 'puppeteer-core';
import { BidiSessions } from '../bidi/bidi-sessions';
import { connect } from '../browser/firefox-process';

/** A running window as automation finds it. */
export interface WindowTarget {
  uuid: string;
  wsEndpoint: string;
}

/**
 * The agent's own automation client of each running window: one puppeteer-core connection per
 * window, made at first use through the window's multiplexer in process (over `wsEndpoint` only
 * when the agent holds no session for it) and kept while the window runs, so a request costs its
 * commands and no handshake. The window's close ends the connection (the multiplexer closes its
 * clients) and the next request connects again.
 */
@Injectable()
export class WindowPages implements OnApplicationShutdown {
  private readonly browsers = new Map<string, { via: unknown; browser: Promise<Browser> }>();

  constructor(private readonly bidi: BidiSessions) {}

  browser(window: WindowTarget): Promise<Browser> {
    const via = this.bidi.get(window.uuid) ?? window.wsEndpoint;
    const known = this.browsers.get(window.uuid);
    if (known && known.via === via) return known.browser;
    const entry = { via, browser: connect(typeof via === 'string' ? via : via.localTransport()) };
    this.browsers.set(window.uuid, entry);
    entry.browser.then(
      (connected) => connected.once('disconnected', () => this.forget(window.uuid, entry)),
      () => this.forget(window.uuid, entry),
    );
    return entry.browser;
  }

  /** The page requests act on: the window's first tab (a new one if every tab was closed). */
  async page(window: WindowTarget): Promise<Page> {
    const browser = await this.browser(window);
    const [first] = await browser.pages();
    return first ?? browser.newPage();
  }

  private forget(uuid: string, entry: { browser: Promise<Browser> }): void {
    if (this.browsers.get(uuid) === entry) this.browsers.delete(uuid);
  }

  async onApplicationShutdown(): Promise<void> {
    const entries = [...this.browsers.values()];
    this.browsers.clear();
    await Promise.all(entries.map((e) => e.browser.then((connected) => connected.disconnect()).catch(() => undefined)));
  }
}
