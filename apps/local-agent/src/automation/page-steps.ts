/**
 * Long: the step list's parser, its runner and the network-error names are one vocabulary.
 */
import * as puppeteerCore from 'puppeteer-core';
import type { ElementHandle, KeyInput, Page } from 'puppeteer-core';
import { InvalidParamError, LIMITS, PageActionError } from '@cos/contracts';

export const WAIT_UNTIL = ['load', 'domcontentloaded', 'networkidle0', 'networkidle2'] as const;
export type WaitUntil = (typeof WAIT_UNTIL)[number];
export const STEP_TYPES = ['navigate', 'click', 'type', 'press', 'scroll', 'select', 'wait'] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const STEPS_MAX = 100;
export const TIMEOUT_MAX_MS = 120_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
const WAIT_MS_MAX = 60_000;
const SELECTOR_MAX = 1000;
/** Puppeteer's key names (exported at run time, not in its typings): what `keyboard.press` accepts. */
const KEY_NAMES = new Set(Object.keys((puppeteerCore as unknown as { _keyDefinitions?: Record<string, unknown> })._keyDefinitions ?? {}));
const TEXT_MAX = 100_000;

export interface Step {
  type: StepType;
  url?: string;
  waitUntil?: WaitUntil;
  selector?: string;
  text?: string;
  delayMs?: number;
  key?: string;
  x?: number;
  y?: number;
  values?: string[];
  ms?: number;
  timeoutMs?: number;
}

type FieldCheck = (value: unknown, where: string) => void;

const isString =
  (max: number): FieldCheck =>
  (value, where) => {
    if (typeof value !== 'string' || value.length === 0 || value.length > max) {
      throw new InvalidParamError(`${where} must be a non-empty string of at most ${max} characters`);
    }
  };
const isInt =
  (min: number, max: number): FieldCheck =>
  (value, where) => {
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      throw new InvalidParamError(`${where} must be an integer from ${min} to ${max}`);
    }
  };

/** Pages the agent may be sent to: the web, and a blank tab. No local files, no browser internals. */
export function checkUrl(value: unknown, where: string): string {
  isString(LIMITS.urlMax)(value, where);
  const text = value as string;
  if (text === 'about:blank') return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidParamError(`${where} must be an absolute http(s) URL or about:blank`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidParamError(`${where} must be an http(s) URL or about:blank`);
  return text;
}

const FIELDS: Record<StepType, { required: Record<string, FieldCheck>; optional: Record<string, FieldCheck> }> = {
  navigate: {
    required: { url: checkUrl },
    optional: {
      waitUntil: (value, where) => {
        if (!WAIT_UNTIL.includes(value as WaitUntil)) throw new InvalidParamError(`${where} must be one of ${WAIT_UNTIL.join(', ')}`);
      },
    },
  },
  click: { required: { selector: isString(SELECTOR_MAX) }, optional: {} },
  type: { required: { selector: isString(SELECTOR_MAX), text: isString(TEXT_MAX) }, optional: { delayMs: isInt(0, 1000) } },
  press: {
    required: {
      key: (value, where) => {
        if (typeof value !== 'string' || (KEY_NAMES.size > 0 && !KEY_NAMES.has(value))) {
          throw new InvalidParamError(`${where} must be a key name such as Enter, Tab, ArrowDown, a or Shift`);
        }
      },
    },
    optional: { selector: isString(SELECTOR_MAX) },
  },
  scroll: { required: {}, optional: { selector: isString(SELECTOR_MAX), x: isInt(-1e6, 1e6), y: isInt(-1e6, 1e6) } },
  select: {
    required: {
      selector: isString(SELECTOR_MAX),
      values: (value, where) => {
        if (!Array.isArray(value) || value.length > 100 || value.some((v) => typeof v !== 'string' || v.length > 1000)) {
          throw new InvalidParamError(`${where} must be an array of at most 100 option values`);
        }
      },
    },
    optional: {},
  },
  wait: {
    required: {},
    optional: { selector: isString(SELECTOR_MAX), text: isString(TEXT_MAX), url: isString(LIMITS.urlMax), ms: isInt(0, WAIT_MS_MAX) },
  },
};

/** Checks every step before any runs: a bad step is 211 naming it, and nothing happened in the page. */
export function parseSteps(input: unknown): Step[] {
  if (!Array.isArray(input) || input.length === 0 || input.length > STEPS_MAX) {
    throw new InvalidParamError(`steps must be an array of 1 to ${STEPS_MAX} steps`);
  }
  return input.map((raw: unknown, index) => {
    const where = `steps[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidParamError(`${where} must be an object`);
    const step = raw as Record<string, unknown>;
    if (!STEP_TYPES.includes(step.type as StepType)) {
      throw new InvalidParamError(`${where}.type must be one of ${STEP_TYPES.join(', ')}`);
    }
    const type = step.type as StepType;
    const { required, optional } = FIELDS[type];
    for (const [field, check] of Object.entries(required)) {
      if (step[field] === undefined) throw new InvalidParamError(`${where}.${field} is required for a ${type} step`);
      check(step[field], `${where}.${field}`);
    }
    for (const [field, value] of Object.entries(step)) {
      if (field === 'type' || field in required) continue;
      if (field === 'timeoutMs') isInt(1, TIMEOUT_MAX_MS)(value, `${where}.timeoutMs`);
      else if (field in optional) optional[field](value, `${where}.${field}`);
      else throw new InvalidParamError(`${where}.${field} is not a field of a ${type} step`);
    }
    if (type === 'wait') {
      const targets = ['selector', 'text', 'url', 'ms'].filter((f) => step[f] !== undefined);
      if (targets.length !== 1) throw new InvalidParamError(`${where} waits for exactly one of selector, text, url or ms`);
    }
    if (type === 'scroll' && step.selector !== undefined && (step.x !== undefined || step.y !== undefined)) {
      throw new InvalidParamError(`${where} scrolls to a selector or by x/y, not both`);
    }
    return step as unknown as Step;
  });
}

/** What a step waits for or acts on, as a failure names it. */
export function describeStep(step: Step): string {
  switch (step.type) {
    case 'navigate':
      return `navigation to ${step.url}`;
    case 'wait':
      if (step.selector !== undefined) return `selector ${step.selector}`;
      if (step.text !== undefined) return `text "${step.text}"`;
      if (step.url !== undefined) return `a URL containing "${step.url}"`;
      return `${step.ms} ms`;
    case 'press':
      return step.selector ? `key ${step.key} in ${step.selector}` : `key ${step.key}`;
    case 'scroll':
      return step.selector ? `selector ${step.selector}` : `scroll by ${step.x ?? 0},${step.y ?? 0}`;
    default:
      return `selector ${step.selector}`;
  }
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
