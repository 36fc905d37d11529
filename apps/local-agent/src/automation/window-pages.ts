import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Browser, Page } from 'puppeteer-core';
import { connect } from '../browser/firefox-process';

/**
 * The agent's own automation client of each running window: one puppeteer-core connection per
 * window, made through the window's BiDi multiplexer at first use and kept while the window runs,
 * so a request costs its commands and no handshake. A window's close ends the connection (the
 * multiplexer closes its clients) and the next request connects again.
 */
@Injectable()
export class WindowPages implements OnApplicationShutdown {
  private readonly browsers = new Map<string, Promise<Browser>>();

  browser(wsEndpoint: string): Promise<Browser> {
    let browser = this.browsers.get(wsEndpoint);
    if (!browser) {
      browser = connect(wsEndpoint);
      this.browsers.set(wsEndpoint, browser);
      browser.then(
        (connected) => connected.once('disconnected', () => this.forget(wsEndpoint, browser!)),
        () => this.forget(wsEndpoint, browser!),
      );
    }
    return browser;
  }

  /** The page requests act on: the window's first tab (a new one if every tab was closed). */
  async page(wsEndpoint: string): Promise<Page> {
    const browser = await this.browser(wsEndpoint);
    const [first] = await browser.pages();
    return first ?? browser.newPage();
  }

  /** The window's open tabs, for state that spans them. */
  async pages(wsEndpoint: string): Promise<Page[]> {
    return (await this.browser(wsEndpoint)).pages();
  }

  private forget(wsEndpoint: string, browser: Promise<Browser>): void {
    if (this.browsers.get(wsEndpoint) === browser) this.browsers.delete(wsEndpoint);
  }

  async onApplicationShutdown(): Promise<void> {
    const browsers = [...this.browsers.values()];
    this.browsers.clear();
    await Promise.all(browsers.map((b) => b.then((connected) => connected.disconnect()).catch(() => undefined)));
  }
}
