import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Browser, Page } from 'puppeteer-core';
import { BidiSessions } from '../bidi/bidi-sessions';
import { NotFoundError, PageActionError } from '@cos/contracts';
import { connect } from '../browser/firefox-process';

/** How long a tab whose script ran out of time has to answer before it counts as stuck. */
const PROBE_MS = 2_000;

/** A running window as automation finds it. */
export interface WindowTarget {
  uuid: string;
  wsEndpoint: string;
}

/**
 * The agent's own automation client of each running window: one puppeteer-core connection per
 * window, made at first use through the window's multiplexer in process and kept while the window runs, so a request costs its
 * commands and no handshake. The window's close ends the connection (the multiplexer closes its
 * clients) and the next request connects again.
 */
@Injectable()
export class WindowPages implements OnApplicationShutdown {
  private readonly browsers = new Map<string, { via: unknown; browser: Promise<Browser> }>();

  constructor(private readonly bidi: BidiSessions) {}

  browser(window: WindowTarget): Promise<Browser> {
    // Only through the agent's own multiplexer: a socket to a port the agent no longer serves
    // could reach another program, handing it the token in the endpoint's path.
    const via = this.bidi.get(window.uuid);
    if (!via) return Promise.reject(new NotFoundError('Browser not running'));
    const known = this.browsers.get(window.uuid);
    if (known && known.via === via) return known.browser;
    const entry = { via, browser: connect(via.localTransport()) };
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

  /**
   * After a script ran out of time: a tab that still answers is left as it is; one that does not
   * within PROBE_MS (a loop that never yields holds its content process) is closed, which ends
   * that process, after a new blank tab is opened (the window would close with its last tab).
   */
  async unstick(window: WindowTarget, page: Page, timedOut: PageActionError): Promise<PageActionError> {
    const answers = await Promise.race([
      page.evaluate('1').then(
        () => true,
        () => true,
      ),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), PROBE_MS).unref()),
    ]);
    if (answers) return timedOut;
    const url = page.url();
    const browser = await this.browser(window);
    // In the background: switching to a new tab waits for the busy one, which never answers.
    await browser.newPage({ background: true });
    await Promise.race([
      page.close({ runBeforeUnload: false }).catch(() => undefined),
      new Promise((r) => setTimeout(r, PROBE_MS).unref()),
    ]);
    return new PageActionError(
      `${timedOut.message} and kept its tab busy: the tab (${url}) was closed to stop it, a new blank tab replaces it`,
      {
        ...timedOut.data,
        tabReplaced: true,
        url,
      },
    );
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
