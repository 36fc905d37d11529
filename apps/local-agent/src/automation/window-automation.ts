import { Injectable } from '@nestjs/common';
import type { Browser, Page } from 'puppeteer-core';
import { DomainError, fromExtensionJson, InvalidParamError, NotFoundError, PageActionError } from '@cos/contracts';
import type { StoredCookie, WindowRef } from '@cos/contracts';
import { RunningWindows } from '../browser/running-windows';
import { toBrowserCookie, toStoredCookie } from '../browser/firefox-process';
import { CappedCookie, cappedByBrowser } from './cookie-expiry';
import { pageScript, toJsonValue } from './json-value';
import { parseOrigins, readOrigins, writeOrigins } from './page-state';
import { checkUrl, DEFAULT_TIMEOUT_MS, goTo, navigationReason, parseSteps, runStep, stepFailure, WaitUntil } from './page-steps';
import { WindowPages, WindowTarget } from './window-pages';

type RunningTarget = WindowTarget & { id: number };

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    work,
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new PageActionError(`${what} did not finish within ${ms} ms`, { timedOut: true })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** What a script threw, in words: an Error's message, any other value (`null`, a string, an object) as JSON. */
function thrownText(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(toJsonValue(value).value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Sets cookies in the browser and reads back what it kept: how many it holds, and whose expiry it cut. */
async function putCookies(browser: Browser, cookies: StoredCookie[]): Promise<{ total: number; capped: CappedCookie[] }> {
  if (cookies.length > 0) await browser.setCookie(...cookies.map(toBrowserCookie));
  const kept = (await browser.cookies()).map(toStoredCookie);
  return { total: kept.length, capped: cappedByBrowser(cookies, kept) };
}

/** `domain` given: the cookies a site on that host would get, the host's own and its parents'. */
function matchesDomain(cookie: StoredCookie, domain: string): boolean {
  const host = cookie.domain.replace(/^\./, '').toLowerCase();
  const wanted = domain.replace(/^\./, '').toLowerCase();
  return host === wanted || wanted.endsWith(`.${host}`) || host.endsWith(`.${wanted}`);
}

/**
 * Drives a running window's page for scripts that speak HTTP: navigation, script evaluation,
 * screenshots, step lists, cookies and storage. Each call goes through the window's BiDi
 * multiplexer like any other client. A window that is not running is 404 "Browser not running";
 * what fails in the page is 422 with what it waited for.
 */
@Injectable()
export class WindowAutomation {
  constructor(
    private readonly windows: RunningWindows,
    private readonly pages: WindowPages,
  ) {}

  async navigate(windowRef: WindowRef, url: string, waitUntil: WaitUntil = 'load', timeoutMs = DEFAULT_TIMEOUT_MS) {
    checkUrl(url, 'url');
    return this.onPage(windowRef, async (page, window) => {
      const response = await goTo(page, url, { waitUntil, timeout: timeoutMs }).catch((error: Error) => {
        const { reason, timedOut, errorName } = navigationReason(error, timeoutMs);
        throw new PageActionError(`Navigation to ${url} failed: ${reason}`, { timedOut, error: errorName });
      });
      return { id: window.id, uuid: window.uuid, url: page.url(), status: response?.status() ?? null, title: await page.title() };
    });
  }

  async evaluate(windowRef: WindowRef, code: string, timeoutMs = DEFAULT_TIMEOUT_MS) {
    return this.onPage(windowRef, async (page, window) => {
      const value = await withTimeout(page.evaluate(pageScript(code)), timeoutMs, 'The script').catch(async (error: unknown) => {
        // A script still running (a loop that never yields) would hold the tab for good.
        if (error instanceof PageActionError && error.data.timedOut) throw await this.pages.unstick(window, page, error);
        if (error instanceof DomainError) throw error;
        throw new PageActionError(`The script threw: ${thrownText(error)}`);
      });
      return { id: window.id, uuid: window.uuid, ...toJsonValue(value) };
    });
  }

  async screenshot(windowRef: WindowRef, format: 'png' | 'jpeg' = 'png', fullPage = false, quality?: number) {
    return this.onPage(windowRef, async (page, window) => {
      const data = await withTimeout(
        page.screenshot({ type: format, fullPage, encoding: 'base64', ...(format === 'jpeg' && quality ? { quality } : {}) }),
        DEFAULT_TIMEOUT_MS,
        'The screenshot',
      );
      return { id: window.id, uuid: window.uuid, format, fullPage, bytes: Buffer.byteLength(data, 'base64'), data };
    });
  }

  /**
   * Runs the steps in order, each within its own timeout; the first failure ends the run and is
   * named. `signal` (a run's cancel) stops it between steps.
   */
  async actions(
    windowRef: WindowRef,
    rawSteps: unknown,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    signal?: AbortSignal,
    /** Told each step's result as it is made, and answers the result kept (a run sends a screenshot away and keeps its id). */
    onStep?: (result: Record<string, unknown>) => Promise<Record<string, unknown>>,
  ) {
    const steps = parseSteps(rawSteps);
    return this.onPage(windowRef, async (page, window) => {
      const results: Record<string, unknown>[] = [];
      for (const [index, step] of steps.entries()) {
        if (signal?.aborted) throw new PageActionError(`Canceled before step ${index}`, { results, canceled: true });
        const timeout = step.timeoutMs ?? timeoutMs;
        const started = Date.now();
        try {
          const outcome = await withTimeout(runStep(page, step, timeout), timeout + 2000, `Step ${index}`);
          const result = { index, type: step.type, ok: true, ms: Date.now() - started, ...outcome };
          results.push(onStep ? await onStep(result) : result);
        } catch (error) {
          if (!this.windows.isRunning(window.uuid)) throw new NotFoundError('Browser not running');
          // A script still running (a loop that never yields) would hold the tab for good.
          if (step.type === 'eval' && error instanceof PageActionError && error.data.timedOut)
            await this.pages.unstick(window, page, error);
          throw stepFailure(index, step, error as Error, timeout, results);
        }
      }
      return { id: window.id, uuid: window.uuid, results };
    });
  }

  async cookies(windowRef: WindowRef): Promise<StoredCookie[]> {
    return this.onBrowser(windowRef, async (window) => (await (await this.pages.browser(window)).cookies()).map(toStoredCookie));
  }

  /** `/browser/cookies`: what the running window's browser holds now, session cookies included. */
  async liveCookies(windowRef: WindowRef) {
    return this.onBrowser(windowRef, async (window) => {
      const cookies = (await (await this.pages.browser(window)).cookies()).map(toStoredCookie);
      return { id: window.id, uuid: window.uuid, cookies, total: cookies.length };
    });
  }

  /** Sets the cookies; `capped` names those whose expiry Firefox cut to its 400-day limit. */
  async setCookies(windowRef: WindowRef, cookies: StoredCookie[], replace = false) {
    return this.onBrowser(windowRef, async (window) => {
      const browser = await this.pages.browser(window);
      if (replace) await browser.deleteCookie(...(await browser.cookies()));
      const { total, capped } = await putCookies(browser, cookies);
      return { id: window.id, uuid: window.uuid, set: cookies.length, total, capped };
    });
  }

  async clearCookies(windowRef: WindowRef, domain?: string) {
    return this.onBrowser(windowRef, async (window) => {
      const browser = await this.pages.browser(window);
      const all = await browser.cookies();
      const gone = domain === undefined ? all : all.filter((c) => matchesDomain(toStoredCookie(c), domain));
      if (gone.length > 0) await browser.deleteCookie(...gone);
      return { id: window.id, uuid: window.uuid, cleared: gone.length, remaining: all.length - gone.length };
    });
  }

  async exportState(windowRef: WindowRef) {
    return this.onBrowser(windowRef, async (window) => {
      const browser = await this.pages.browser(window);
      const cookies = (await browser.cookies()).map(toStoredCookie);
      const origins = await readOrigins(await browser.pages());
      return { id: window.id, uuid: window.uuid, state: { cookies, origins } };
    });
  }

  async importState(windowRef: WindowRef, state: Record<string, unknown>, timeoutMs = DEFAULT_TIMEOUT_MS) {
    for (const key of Object.keys(state)) {
      if (key !== 'cookies' && key !== 'origins') throw new InvalidParamError(`state.${key} is not a field of a state (cookies, origins)`);
    }
    const cookies = state.cookies === undefined ? [] : fromExtensionJson(state.cookies, 'state.cookies');
    const origins = parseOrigins(state.origins);
    return this.onBrowser(windowRef, async (window) => {
      const browser = await this.pages.browser(window);
      const { capped } = await putCookies(browser, cookies);
      const written = await writeOrigins(await browser.pages(), origins, () => browser.newPage(), timeoutMs);
      return { id: window.id, uuid: window.uuid, cookies: cookies.length, capped, origins: written };
    });
  }

  private async onPage<T>(windowRef: WindowRef, work: (page: Page, window: RunningTarget) => Promise<T>): Promise<T> {
    return this.onBrowser(windowRef, async (window) => work(await this.pages.page(window), window));
  }

  /** Finds the running window, runs `work`, and words every failure: gone → 404, the page's fault → 422. */
  private async onBrowser<T>(windowRef: WindowRef, work: (window: RunningTarget) => Promise<T>): Promise<T> {
    const window = this.windows.runningWindow(windowRef);
    try {
      return await work(window);
    } catch (error) {
      if (!this.windows.isRunning(window.uuid)) throw new NotFoundError('Browser not running');
      if (error instanceof DomainError) throw error;
      throw new PageActionError((error as Error).message);
    }
  }
}
