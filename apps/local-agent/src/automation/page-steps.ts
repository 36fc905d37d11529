/**
 * Running the step list (its checks live in `@cos/contracts` task-steps) and the network-error names.
 */
import * as puppeteerCore from 'puppeteer-core';
import type { ElementHandle, KeyInput, Page } from 'puppeteer-core';
import { describeStep, PageActionError, parseSteps as parseStepList, SCREENSHOT_MAX_BYTES } from '@cos/contracts';
import type { Step, WaitUntil } from '@cos/contracts';
import { pageScript, toJsonValue } from './json-value';

export { checkUrl, DEFAULT_TIMEOUT_MS, STEP_TYPES, STEPS_MAX, TIMEOUT_MAX_MS, WAIT_UNTIL } from '@cos/contracts';
export type { Step, WaitUntil } from '@cos/contracts';

/** Puppeteer's key names (exported at run time, not in its typings): what `keyboard.press` accepts. */
const KEY_NAMES = new Set(Object.keys((puppeteerCore as unknown as { _keyDefinitions?: Record<string, unknown> })._keyDefinitions ?? {}));
/** Elements an `all` extract reads, at most. */
const EXTRACT_ALL_MAX = 1000;

/** The step list as this agent runs it: keys by its driver's names. */
export function parseSteps(input: unknown): Step[] {
  return parseStepList(input, { keyNames: KEY_NAMES });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let e = error; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  return chain;
}

/** The page's realm went away under a wait (a navigation, a new document): the wait starts again in the new one. */
function staleRealm(error: unknown): boolean {
  return causes(error).some((e) => /no such handle|no such frame|context was destroyed|realm .*destroyed|detached/i.test(e.message));
}

async function retryingWait<T>(timeout: number, attempt: (remainingMs: number) => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await attempt(Math.max(1, deadline - Date.now()));
    } catch (error) {
      if (!staleRealm(error) || Date.now() >= deadline) throw error;
    }
  }
}

async function element(page: Page, selector: string, timeout: number, visible = true): Promise<ElementHandle> {
  const handle = await retryingWait(timeout, (remaining) => page.waitForSelector(selector, { visible, timeout: remaining }));
  if (!handle) throw new Error(`no element matches ${selector}`);
  return handle;
}

/** Tabs showing Firefox's error page for a navigation that failed. */
const onErrorPage = new WeakSet<Page>();

/**
 * `page.goto` that also leaves an error page well. Firefox loses the end of a navigation that
 * starts on its own error page (neither load nor failure comes, and the caller waits out its
 * timeout), so such a tab goes to about:blank first.
 */
export async function goTo(page: Page, url: string, options: { waitUntil: WaitUntil; timeout: number }) {
  if (onErrorPage.has(page) && url !== 'about:blank') await page.goto('about:blank', options);
  try {
    const response = await page.goto(url, options);
    onErrorPage.delete(page);
    return response;
  } catch (error) {
    if (error instanceof Error && navigationReason(error, options.timeout).errorName) onErrorPage.add(page);
    throw error;
  }
}

/** Runs one checked step; its answer is what the step produced (a URL, a scroll position, the selected values). */
export async function runStep(page: Page, step: Step, timeout: number): Promise<Record<string, unknown>> {
  switch (step.type) {
    case 'navigate': {
      const response = await goTo(page, step.url!, { waitUntil: step.waitUntil ?? 'load', timeout });
      return { url: page.url(), status: response?.status() ?? null };
    }
    case 'click': {
      const target = await element(page, step.selector!, timeout);
      await target.click();
      await target.dispose();
      return {};
    }
    case 'type': {
      const target = await element(page, step.selector!, timeout);
      await target.type(step.text!, { delay: step.delayMs ?? 0 });
      await target.dispose();
      return {};
    }
    case 'press': {
      if (step.selector) {
        const target = await element(page, step.selector, timeout);
        await target.press(step.key as KeyInput);
        await target.dispose();
      } else {
        await page.keyboard.press(step.key as KeyInput);
      }
      return {};
    }
    case 'scroll': {
      // Instant, whatever the page's CSS says, so the answer is where the page is.
      if (step.selector) {
        const target = await element(page, step.selector, timeout, false);
        await target.evaluate((node) => node.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' }));
        await target.dispose();
      } else {
        await page.evaluate((x: number, y: number) => window.scrollBy({ left: x, top: y, behavior: 'instant' }), step.x ?? 0, step.y ?? 0);
      }
      return page.evaluate(() => ({ scrollX: Math.round(window.scrollX), scrollY: Math.round(window.scrollY) }));
    }
    case 'select': {
      await element(page, step.selector!, timeout, false).then((h) => h.dispose());
      return { selected: await page.select(step.selector!, ...step.values!) };
    }
    case 'wait': {
      if (step.selector !== undefined) await element(page, step.selector, timeout, false).then((h) => h.dispose());
      else if (step.text !== undefined) {
        const text = step.text;
        await retryingWait(timeout, (remaining) =>
          page.waitForFunction((t: string) => document.body?.innerText.includes(t) ?? false, { timeout: remaining, polling: 100 }, text),
        );
      } else if (step.url !== undefined) {
        const deadline = Date.now() + timeout;
        while (!page.url().includes(step.url)) {
          if (Date.now() > deadline) throw new Error(`the page is at ${page.url()} after ${timeout} ms`);
          await sleep(100);
        }
      } else await sleep(step.ms!);
      return { url: page.url() };
    }
    case 'eval': {
      // In the page's own realm, like /browser/eval: the page's rights, never the desktop's.
      const { value } = toJsonValue(await page.evaluate(pageScript(step.code!)));
      return step.as ? { as: step.as, value } : { value };
    }
    case 'extract': {
      await element(page, step.selector!, timeout, false).then((h) => h.dispose());
      const values = await page.$$eval(
        step.selector!,
        (nodes, attribute, max) =>
          nodes
            .slice(0, max)
            .map((node) => (attribute ? node.getAttribute(attribute) : ((node as HTMLElement).innerText ?? node.textContent))),
        step.attribute ?? null,
        step.all ? EXTRACT_ALL_MAX : 1,
      );
      return { as: step.as, value: step.all ? values : (values[0] ?? null) };
    }
    case 'screenshot': {
      const png = await page.screenshot({ type: 'png', fullPage: step.fullPage === true, encoding: 'base64' });
      const bytes = Math.floor((png.length * 3) / 4);
      if (bytes > SCREENSHOT_MAX_BYTES)
        throw new PageActionError(
          `The screenshot is ${bytes} bytes, more than ${SCREENSHOT_MAX_BYTES}; take the viewport (fullPage false)`,
        );
      return { png };
    }
  }
}

/** Firefox's names of network errors, in words. */
const NETWORK_ERRORS: Record<string, string> = {
  NS_ERROR_CONNECTION_REFUSED: 'the connection was refused',
  NS_ERROR_UNKNOWN_HOST: 'the host name was not found',
  NS_ERROR_NET_TIMEOUT: 'the connection timed out',
  NS_ERROR_NET_RESET: 'the connection was reset',
  NS_ERROR_NET_INTERRUPT: 'the connection was interrupted',
  NS_ERROR_NET_EMPTY_RESPONSE: 'the server sent nothing',
  NS_ERROR_OFFLINE: 'the browser is offline',
  NS_ERROR_PROXY_CONNECTION_REFUSED: 'the proxy refused the connection',
  NS_ERROR_UNKNOWN_PROXY_HOST: "the proxy's host name was not found",
  NS_ERROR_PROXY_AUTHENTICATION_FAILED: 'the proxy refused the credentials',
  NS_ERROR_REDIRECT_LOOP: 'the page redirects in a loop',
  NS_BINDING_ABORTED: 'another navigation replaced it',
  NS_ERROR_ABORT: 'another navigation replaced it',
};
const NETWORK_ERROR_NAME = /\b(NS_(?:ERROR|BINDING)_[A-Z_]+|(?:SEC_ERROR|SSL_ERROR|MOZILLA_PKIX_ERROR)_[A-Z_]+)\b/;

/**
 * Why a navigation failed, in a line: Firefox's network error name and its meaning (a certificate
 * Firefox refused names its NSS error), never the browser's internal stack it comes wrapped in.
 */
export function navigationReason(error: Error, timeout: number): { reason: string; timedOut: boolean; errorName: string | null } {
  const chain = causes(error);
  const timedOut = chain.some((e) => e.name === 'TimeoutError' || /exceeded|timed? ?out/i.test(e.message));
  const text = chain.map((e) => e.message).join('\n');
  const errorName = NETWORK_ERROR_NAME.exec(text)?.[1] ?? null;
  if (timedOut && errorName !== 'NS_ERROR_NET_TIMEOUT') return { reason: `not done after ${timeout} ms`, timedOut, errorName };
  if (errorName) {
    const words = NETWORK_ERRORS[errorName] ?? (/^(SEC|SSL|MOZILLA_PKIX)_/.test(errorName) ? 'the certificate was not accepted' : null);
    return { reason: words ? `${errorName} (${words})` : errorName, timedOut, errorName };
  }
  const firstLine = (text.split('\n')[0] ?? '').replace(/^unknown error:\s*/i, '').trim();
  return { reason: firstLine.slice(0, 200) || 'the browser gave no reason', timedOut, errorName };
}

/** A step's own words for its failure: a timeout says what never came. */
export function stepFailure(index: number, step: Step, error: Error, timeout: number, results: unknown[]): PageActionError {
  const waitedFor = describeStep(step);
  if (step.type === 'navigate') {
    const { reason, timedOut } = navigationReason(error, timeout);
    return new PageActionError(`Step ${index} (${step.type}: ${waitedFor}) failed: ${reason}`, {
      results,
      failed: { index, type: step.type, waitedFor, timedOut, error: reason },
    });
  }
  // Puppeteer wraps the reason ("Waiting for selector `#x` failed", caused by a TimeoutError).
  const chain = causes(error);
  const timedOut = chain.some((e) => e.name === 'TimeoutError' || /exceeded|timed? ?out/i.test(e.message));
  const why = timedOut ? `not done after ${timeout} ms` : chain.map((e) => e.message).join(': ');
  return new PageActionError(`Step ${index} (${step.type}: ${waitedFor}) failed: ${why}`, {
    results,
    failed: { index, type: step.type, waitedFor, timedOut, error: error.message },
  });
}
