import { DomainError } from './errors';
import { parseSteps, TIMEOUT_MAX_MS } from './task-steps';
import type { Step } from './task-steps';
import { isUuid } from './window-ref';
import { ORDER_SECRETS_MAX } from './secret-values';

/** A secret value in a run order, at most (a run's or a stored variable's value). */
const RUN_VALUE_MAX = 10_000;

/**
 * The device line: one WebSocket an agent keeps open to the cloud while it is signed in, at
 * `GET /device/line` with the agent's Bearer token. Text frames of JSON, each under
 * `DEVICE_LINE_MESSAGE_MAX` bytes; every message is read by allowlist (`parseAgentMessage` on the
 * cloud, `parseCloudMessage` on the agent) and anything else ends the line.
 */
export const DEVICE_LINE_PATH = '/device/line';
export const DEVICE_LINE_MESSAGE_MAX = 64 * 1024;

/** What the cloud may ask a device to do: open or close a window, run steps in it, stop the steps running in it. */
export const DEVICE_COMMAND_KINDS = ['open', 'close', 'run', 'cancel'] as const;
export type DeviceCommandKind = (typeof DEVICE_COMMAND_KINDS)[number];

/** What a device tells of itself with each heartbeat. */
export interface DeviceCapacity {
  windowsRunning: number;
  freeMemoryBytes: number;
  totalMemoryBytes: number;
}

export type AgentLineMessage =
  | { type: 'hello'; version: string; hostname: string; platform: string; capacity: DeviceCapacity }
  | { type: 'heartbeat'; capacity: DeviceCapacity }
  | { type: 'answer'; commandId: string; code: number; msg: string; data: Record<string, unknown> };

export interface DeviceCommand {
  type: 'command';
  commandId: string;
  kind: DeviceCommandKind;
  window: { id?: number; uuid?: string };
  /** The caller stops waiting this long after the command was sent: a device that gets it later does not start it. */
  expiresInMs: number;
  /** `run` only: the steps (variables filled in) and each step's timeout unless it names its own. */
  run?: RunOrder;
}

export interface RunOrder {
  steps: Step[];
  timeoutMs: number;
  /** The secret values filled into the steps: the device takes them out of what it answers and logs before cutting anything. */
  secrets?: string[];
}

export type CloudLineMessage = { type: 'welcome'; deviceId: string; heartbeatMs: number } | { type: 'ack' } | DeviceCommand;

/** Close codes of the line (4000–4999 are the application's own). */
export const LINE_CLOSE = {
  /** A message broke the protocol; the agent comes back after its backoff. */
  protocol: 4400,
  /** The session or token no longer stands: sign in again. */
  signedOut: 4401,
  /** A newer line of the same device took over. */
  replaced: 4409,
  /** Nothing came within the heartbeat deadline. */
  silent: 4408,
  /** The cloud instance is stopping. */
  stopping: 4503,
} as const;

/** Where a device's view and answers put text a member typed or a device claimed: bounded and printable. */
const TEXT = /^[\p{L}\p{N}\p{P}\p{Zs}+<=>^\u0060|~$]*$/u;

const NOT_JSON = Symbol('not JSON');

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

function plainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

function onlyKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(value).every((key) => keys.includes(key));
}

function boundedText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max && TEXT.test(value);
}

function count(value: unknown, max: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max;
}

function capacityOf(value: unknown): DeviceCapacity | null {
  if (!plainObject(value) || !onlyKeys(value, ['windowsRunning', 'freeMemoryBytes', 'totalMemoryBytes'])) return null;
  const { windowsRunning, freeMemoryBytes, totalMemoryBytes } = value;
  if (!count(windowsRunning, 100_000) || !count(freeMemoryBytes, 2 ** 52) || !count(totalMemoryBytes, 2 ** 52)) return null;
  return { windowsRunning, freeMemoryBytes, totalMemoryBytes };
}

/** The first message that fails its allowlist names what is wrong; the line then closes. */
export function parseAgentMessage(text: string): AgentLineMessage | string {
  const value = jsonOf(text);
  return value === NOT_JSON ? 'not JSON' : agentMessageOf(value);
}

/** `parseAgentMessage` for a value already parsed (a long-poll body's part). */
export function agentMessageOf(value: unknown): AgentLineMessage | string {
  if (!plainObject(value)) return 'not an object';
  switch (value.type) {
    case 'hello': {
      if (!onlyKeys(value, ['type', 'version', 'hostname', 'platform', 'capacity'])) return 'hello: unknown field';
      const capacity = capacityOf(value.capacity);
      if (!boundedText(value.version, 40) || !boundedText(value.hostname, 100) || !boundedText(value.platform, 40) || !capacity)
        return 'hello: version, hostname, platform (short printable text) and capacity required';
      return { type: 'hello', version: value.version, hostname: value.hostname, platform: value.platform, capacity };
    }
    case 'heartbeat': {
      const capacity = capacityOf(value.capacity);
      if (!onlyKeys(value, ['type', 'capacity']) || !capacity) return 'heartbeat: capacity required';
      return { type: 'heartbeat', capacity };
    }
    case 'answer': {
      if (!onlyKeys(value, ['type', 'commandId', 'code', 'msg', 'data'])) return 'answer: unknown field';
      const { commandId, code, msg, data } = value;
      if (!isUuid(commandId) || !count(code, 999) || typeof msg !== 'string' || msg.length > 2000 || !plainObject(data))
        return 'answer: commandId, code, msg and data required';
      const json = JSON.stringify(data);
      if (json.length > DEVICE_LINE_MESSAGE_MAX) return 'answer: data too large';
      // PostgreSQL's jsonb holds no NUL character and no unpaired surrogate: refused here, by name, not as a failed write.
      if (badText(msg) || badText(data)) return 'answer: NUL characters or unpaired surrogates';
      return { type: 'answer', commandId: commandId.toLowerCase(), code, msg, data };
    }
    default:
      return 'unknown message type';
  }
}

/** A NUL character, or half of a surrogate pair alone: text PostgreSQL will not store. */
// eslint-disable-next-line no-control-regex -- a NUL character is what this finds
const BAD_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether any string or key in `value` holds text PostgreSQL will not store. */
function badText(value: unknown): boolean {
  if (typeof value === 'string') return BAD_TEXT.test(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(badText);
  return Object.entries(value).some(([key, item]) => BAD_TEXT.test(key) || badText(item));
}

/** `value` with every NUL and unpaired surrogate in its strings and keys replaced by U+FFFD: what a page said, made storable. */
export function storableText<T>(value: T): T {
  const clean = (text: string) => text.replace(new RegExp(BAD_TEXT.source, 'g'), '\ufffd');
  if (typeof value === 'string') return clean(value) as T;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(storableText) as T;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [clean(key), storableText(item)])) as T;
}

/** What is wrong with `value` as a message of `type` (its `type` field left out), or null. */
export function agentPartProblem(type: 'hello' | 'answer', value: unknown, path: string): string | null {
  if (value === undefined) return `${path} is required`;
  if (!plainObject(value)) return `${path} must be an object`;
  if ('type' in value) return `${path}: unknown field type`;
  const parsed = agentMessageOf({ type, ...value });
  return typeof parsed === 'string' ? `${path}: ${parsed.replace(/^\w+: /, '')}` : null;
}

export function parseCloudMessage(text: string): CloudLineMessage | string {
  const value = jsonOf(text);
  if (value === NOT_JSON) return 'not JSON';
  if (!plainObject(value)) return 'not an object';
  switch (value.type) {
    case 'welcome':
      if (!onlyKeys(value, ['type', 'deviceId', 'heartbeatMs']) || !boundedText(value.deviceId, 100) || !count(value.heartbeatMs, 600_000))
        return 'welcome: deviceId and heartbeatMs required';
      return { type: 'welcome', deviceId: value.deviceId, heartbeatMs: Math.max(1000, value.heartbeatMs) };
    case 'ack':
      return onlyKeys(value, ['type']) ? { type: 'ack' } : 'ack: unknown field';
    case 'command': {
      if (!onlyKeys(value, ['type', 'commandId', 'kind', 'window', 'expiresInMs', 'run'])) return 'command: unknown field';
      const { commandId, kind, window, expiresInMs } = value;
      if (!isUuid(commandId) || !DEVICE_COMMAND_KINDS.includes(kind as DeviceCommandKind) || !count(expiresInMs, 3_600_000))
        return 'command: commandId, kind and expiresInMs required';
      if (!plainObject(window) || !onlyKeys(window, ['id', 'uuid'])) return 'command: window must be { id, uuid }';
      const ref: { id?: number; uuid?: string } = {};
      if (window.id !== undefined) {
        if (!Number.isSafeInteger(window.id) || (window.id as number) < 1) return 'command: window.id must be a positive whole number';
        ref.id = window.id as number;
      }
      if (window.uuid !== undefined) {
        if (!isUuid(window.uuid)) return 'command: window.uuid must be a UUID';
        ref.uuid = window.uuid;
      }
      if (ref.id === undefined && ref.uuid === undefined) return 'command: window names no window';
      if ((kind === 'run') !== (value.run !== undefined)) return 'command: a run command, and only it, carries run';
      const command: DeviceCommand = { type: 'command', commandId, kind: kind as DeviceCommandKind, window: ref, expiresInMs };
      if (kind === 'run') {
        const run = runOrderOf(value.run);
        if (typeof run === 'string') return `command: ${run}`;
        command.run = run;
      }
      return command;
    }
    default:
      return 'unknown message type';
  }
}

/**
 * The fields of an agent's open or close answer that leave the device: what the window did, never
 * where its files are or how to reach its automation (the Local API token is part of `wsEndpoint`).
 * Applied by the agent before it answers and by the cloud before it passes an answer on.
 */
export const REMOTE_ANSWER_FIELDS: Record<DeviceCommandKind, readonly string[]> = {
  open: ['id', 'uuid', 'alreadyStarted', 'fingerprintAdjustments', 'profileRestore', 'openedStatus'],
  close: ['id', 'uuid', 'backendClose', 'openedStatus', 'closeError', 'killed'],
  run: ['id', 'uuid', 'results', 'captured', 'failed', 'canceled', 'openedByRun', 'closeError', 'truncated', 'log'],
  cancel: ['id', 'uuid', 'canceled'],
};

/** The run part of a command, by allowlist: steps as the agent's own checks would take them. */
function runOrderOf(value: unknown): RunOrder | string {
  if (!plainObject(value) || !onlyKeys(value, ['steps', 'timeoutMs', 'secrets'])) return 'run must be { steps, timeoutMs, secrets? }';
  if (!count(value.timeoutMs, TIMEOUT_MAX_MS) || value.timeoutMs < 1) return 'run.timeoutMs out of range';
  const secrets = value.secrets;
  if (
    secrets !== undefined &&
    (!Array.isArray(secrets) ||
      secrets.length > ORDER_SECRETS_MAX ||
      secrets.some((s) => typeof s !== 'string' || s.length === 0 || s.length > RUN_VALUE_MAX))
  )
    return `run.secrets must be at most ${ORDER_SECRETS_MAX} non-empty texts`;
  try {
    return { steps: parseSteps(value.steps), timeoutMs: value.timeoutMs, ...(secrets ? { secrets: secrets as string[] } : {}) };
  } catch (error) {
    return `run.${error instanceof DomainError ? error.message : 'steps refused'}`;
  }
}

export function remoteAnswerData(kind: DeviceCommandKind, data: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of REMOTE_ANSWER_FIELDS[kind]) if (data[key] !== undefined) kept[key] = data[key];
  return kept;
}

/** How `/device/list` shows a device. */
export interface DeviceView {
  deviceId: string;
  userId: number;
  email: string;
  hostname: string;
  platform: string;
  version: string;
  online: boolean;
  capacity: DeviceCapacity;
  connectedAt: string | null;
  lastSeenAt: string;
}
