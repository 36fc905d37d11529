/**
 * Long: the step vocabulary (its types, every field's check, variables) is one allowlist shared by
 * the agent's `/browser/actions`, the cloud's saved tasks and the device line's run commands.
 */
import { InvalidParamError } from './errors';
import { LIMITS } from './limits';

export const WAIT_UNTIL = ['load', 'domcontentloaded', 'networkidle0', 'networkidle2'] as const;
export type WaitUntil = (typeof WAIT_UNTIL)[number];
export const STEP_TYPES = ['navigate', 'click', 'type', 'press', 'scroll', 'select', 'wait', 'eval', 'extract', 'screenshot'] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const STEPS_MAX = 100;
export const TIMEOUT_MAX_MS = 120_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
const WAIT_MS_MAX = 60_000;
const SELECTOR_MAX = 1000;
const TEXT_MAX = 100_000;
/** An eval step's code: a page script, not a program (it runs in the page, never on the desktop). */
export const EVAL_CODE_MAX = 20_000;
/** Values a run captures (eval `as`, extract) per window. */
export const CAPTURES_MAX = 50;
/** Screenshot steps in one list: with the one taken when a run's step fails, a window run keeps at most one more. */
export const SCREENSHOT_STEPS_MAX = 10;
/** A screenshot's PNG, at most (a full page longer than this is refused: take the viewport). */
export const SCREENSHOT_MAX_BYTES = 5 * 1024 * 1024;
/** `{{name}}`: letters, digits and underscores, not starting with a digit. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,63})\s*\}\}/g;

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
  /** eval: the page script. */
  code?: string;
  /** eval, extract: the name the value is captured under. */
  as?: string;
  /** extract: an attribute of the element instead of its text. */
  attribute?: string;
  /** extract: every matching element (at most 1000), not only the first. */
  all?: boolean;
  /** screenshot: the whole page, not only the viewport. */
  fullPage?: boolean;
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
const isName: FieldCheck = (value, where) => {
  if (typeof value !== 'string' || !VARIABLE_NAME.test(value))
    throw new InvalidParamError(`${where} must be a name of letters, digits and _`);
};
const isFlag: FieldCheck = (value, where) => {
  if (typeof value !== 'boolean') throw new InvalidParamError(`${where} must be true or false`);
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

export interface StepRules {
  /** Key names `press` accepts (the agent knows its driver's); any short name when left out. */
  keyNames?: ReadonlySet<string>;
  /** A saved task: `{{variables}}` stand for text not known yet (a URL's is checked with a stand-in). */
  template?: boolean;
}

function fieldsOf(rules: StepRules): Record<StepType, { required: Record<string, FieldCheck>; optional: Record<string, FieldCheck> }> {
  // A template's URL is checked with stand-ins: a leading variable stands for a whole origin.
  const standIn = (text: string) => text.replace(/^\{\{[^}]*\}\}/, 'https://x').replace(PLACEHOLDER, 'x');
  const url: FieldCheck = (value, where) => checkUrl(rules.template && typeof value === 'string' ? standIn(value) : value, where);
  const keyNames = rules.keyNames;
  return {
    navigate: {
      required: { url },
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
          const known =
            keyNames && keyNames.size > 0 ? keyNames.has(value as string) : typeof value === 'string' && /^[\w ]{1,32}$/.test(value);
          if (typeof value !== 'string' || !known)
            throw new InvalidParamError(`${where} must be a key name such as Enter, Tab, ArrowDown, a or Shift`);
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
    eval: { required: { code: isString(EVAL_CODE_MAX) }, optional: { as: isName } },
    extract: { required: { as: isName, selector: isString(SELECTOR_MAX) }, optional: { attribute: isString(200), all: isFlag } },
    screenshot: { required: {}, optional: { fullPage: isFlag } },
  };
}

/** Checks every step before any runs: a bad step is 211 naming it, and nothing happened in the page. */
export function parseSteps(input: unknown, rules: StepRules = {}): Step[] {
  if (!Array.isArray(input) || input.length === 0 || input.length > STEPS_MAX) {
    throw new InvalidParamError(`steps must be an array of 1 to ${STEPS_MAX} steps`);
  }
  const fields = fieldsOf(rules);
  const captured = new Set<string>();
  let screenshots = 0;
  return input.map((raw: unknown, index) => {
    const where = `steps[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidParamError(`${where} must be an object`);
    const step = raw as Record<string, unknown>;
    if (!STEP_TYPES.includes(step.type as StepType)) {
      throw new InvalidParamError(`${where}.type must be one of ${STEP_TYPES.join(', ')}`);
    }
    const type = step.type as StepType;
    const { required, optional } = fields[type];
    for (const [field, check] of Object.entries(required)) {
      if (step[field] === undefined) throw new InvalidParamError(`${where}.${field} is required for a ${type} step`);
      check(step[field], `${where}.${field}`);
    }
    for (const [field, value] of Object.entries(step)) {
      if (field === 'type' || field in required) continue;
      if (field === 'timeoutMs') isInt(1, TIMEOUT_MAX_MS)(value, `${where}.timeoutMs`);
      else if (Object.prototype.hasOwnProperty.call(optional, field)) optional[field](value, `${where}.${field}`);
      else throw new InvalidParamError(`${where}.${field} is not a field of a ${type} step`);
    }
    if (type === 'wait') {
      const targets = ['selector', 'text', 'url', 'ms'].filter((f) => step[f] !== undefined);
      if (targets.length !== 1) throw new InvalidParamError(`${where} waits for exactly one of selector, text, url or ms`);
    }
    if (type === 'scroll' && step.selector !== undefined && (step.x !== undefined || step.y !== undefined)) {
      throw new InvalidParamError(`${where} scrolls to a selector or by x/y, not both`);
    }
    if (type === 'screenshot' && ++screenshots > SCREENSHOT_STEPS_MAX)
      throw new InvalidParamError(`steps take at most ${SCREENSHOT_STEPS_MAX} screenshots`);
    if (typeof step.as === 'string') {
      if (captured.has(step.as)) throw new InvalidParamError(`${where}.as: ${step.as} is captured by an earlier step`);
      captured.add(step.as);
      if (captured.size > CAPTURES_MAX) throw new InvalidParamError(`steps capture at most ${CAPTURES_MAX} values`);
    }
    return step as unknown as Step;
  });
}

/** The text fields `{{variables}}` fill; an eval step's code is never one (data does not become code). */
const FILLED: readonly (keyof Step)[] = ['url', 'selector', 'text', 'key', 'attribute'];

/** The variables the steps name, in order of first use. */
export function stepVariables(steps: readonly Step[]): string[] {
  const names = new Set<string>();
  for (const step of steps) {
    const texts = [...FILLED.map((f) => step[f]), ...(step.values ?? [])].filter((v): v is string => typeof v === 'string');
    for (const text of texts) for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1]);
  }
  return [...names];
}

/** The steps with every `{{name}}` replaced by its value; a name without one is 211 naming it. */
export function fillVariables(steps: readonly Step[], values: Readonly<Record<string, string>>): Step[] {
  const missing = stepVariables(steps).filter((name) => !Object.prototype.hasOwnProperty.call(values, name));
  if (missing.length > 0) throw new InvalidParamError(`variables without a value: ${missing.join(', ')}`);
  const fill = (text: string) => text.replace(PLACEHOLDER, (_, name: string) => values[name]);
  return steps.map((step) => {
    const filled: Step = { ...step };
    for (const field of FILLED)
      if (typeof step[field] === 'string') (filled as unknown as Record<string, unknown>)[field] = fill(step[field]);
    if (step.values) filled.values = step.values.map(fill);
    return filled;
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
    case 'eval':
      return step.as ? `script captured as ${step.as}` : 'script';
    default:
      return `selector ${step.selector}`;
  }
}
