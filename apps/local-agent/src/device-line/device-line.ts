import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { freemem, hostname, totalmem } from 'node:os';
import { WebSocket } from 'ws';
import { DEVICE_LINE_MESSAGE_MAX, DEVICE_LINE_PATH, DomainError, LINE_CLOSE, parseCloudMessage, ResultCode } from '@cos/contracts';
import type { AgentLineMessage, ApiEnvelope, DeviceCapacity, DeviceCommand } from '@cos/contracts';
import { packageVersion } from '@cos/server-common';
import { AgentConfig } from '../config/agent-config';
import { AgentCloud } from '../cloud/agent-cloud';
import { RunningWindows } from '../browser/running-windows';
import { LinePoller } from './line-poller';
import { RemoteCommands } from './remote-commands';

/** Longest wait between two connection attempts. */
const RETRY_MAX_MS = 30_000;
/** While signed out, the session file is looked at this often (the CLI signs in beside a running agent). */
const SIGNED_OUT_LOOK_MS = 2_000;
/** Upgrades dropped in a row (while plain calls pass) before `auto` long-polls instead. */
const DROPS_BEFORE_POLLING = 2;
/** How long `auto` long-polls before it tries the WebSocket again. */
const POLLING_MS = 10 * 60_000;
/** Upgrade answers that are the cloud's own word (sign in again, too many lines, stopping), not something in between. */
const CLOUD_REFUSALS = new Set([401, 403, 429, 503]);

export type LineState = 'off' | 'signed-out' | 'connecting' | 'online' | 'polling' | 'waiting';

/**
 * This device's line to the cloud: one outbound WebSocket at `/device/line` with the session's
 * Bearer token, kept while signed in. Says hello (version, host, capacity), beats every
 * `heartbeatMs` the cloud names, and hands the cloud's commands to `RemoteCommands`. A line
 * that goes quiet (no acknowledgement for two beats) is dropped; every loss is followed by a new
 * attempt after a wait that doubles per failure (half of it random), up to 30 s. A refused
 * token is refreshed once (the cloud client does it) before the next attempt.
 */
@Injectable()
export class DeviceLine implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeviceLine.name);
  private ws: WebSocket | null = null;
  private retry?: NodeJS.Timeout;
  private beat?: NodeJS.Timeout;
  private failures = 0;
  private stopped = false;
  private lastHeard = 0;
  private drops = 0;
  /** A refused token was just renewed: the next attempt goes at once, not after the backoff (a short-lived token would expire meanwhile). */
  private renewed: Promise<boolean> | null = null;
  private retriedRenewed = false;
  private poller: LinePoller | null = null;
  private current: LineState = 'off';

  /** Signed in since the session file was last looked at: about to connect. */
  get state(): LineState {
    return this.current === 'signed-out' && this.cloud.loggedIn ? 'connecting' : this.current;
  }

  private set state(state: LineState) {
    this.current = state;
  }

  constructor(
    private readonly config: AgentConfig,
    private readonly cloud: AgentCloud,
    private readonly windows: RunningWindows,
    private readonly commands: RemoteCommands,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.env.AGENT_DEVICE_LINE) return;
    if (this.config.env.AGENT_LINE_TRANSPORT === 'poll') void this.poll(Infinity);
    else this.connect();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.poller?.stop();
    clearTimeout(this.retry);
    clearInterval(this.beat);
    this.ws?.close(1001, 'agent stopping');
    this.ws = null;
  }

  private connect(): void {
    this.retry = undefined;
    if (this.stopped) return;
    const session = this.cloud.session();
    if (!session) {
      this.state = 'signed-out';
      this.later(SIGNED_OUT_LOOK_MS);
      return;
    }
    this.state = 'connecting';
    const url = new URL(DEVICE_LINE_PATH, this.cloud.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${session.accessToken}` },
      maxPayload: DEVICE_LINE_MESSAGE_MAX,
      perMessageDeflate: false,
      handshakeTimeout: this.config.env.AGENT_CLOUD_TIMEOUT_MS,
      followRedirects: false,
    });
    this.ws = ws;
    let refused = false;
    let opened = false;
    let status = 0;
    ws.on('unexpected-response', (_request, response) => {
      refused = true;
      status = response.statusCode ?? 0;
      response.resume();
      // An expired access token: one call through the client refreshes it before the next attempt.
      if (response.statusCode === 401)
        this.renewed = this.cloud
          .call('/auth/me', {})
          .then((answer) => answer.code === 0)
          .catch(() => false);
      ws.terminate();
    });
    ws.on('open', () => {
      opened = true;
      this.drops = 0;
      this.send(ws, {
        type: 'hello',
        version: packageVersion(),
        hostname: deviceName(),
        platform: `${process.platform}-${process.arch}`,
        capacity: this.capacity(),
      });
    });
    ws.on('message', (data, isBinary) => {
      const message = isBinary ? 'binary frame' : parseCloudMessage((data as Buffer).toString('utf8'));
      if (typeof message === 'string') {
        this.logger.warn(`device line: the cloud sent what this agent does not take (${message}); connecting again`);
        ws.close(LINE_CLOSE.protocol, 'protocol');
        return;
      }
      this.lastHeard = Date.now();
      if (message.type === 'welcome') {
        this.failures = 0;
        this.retriedRenewed = false;
        this.state = 'online';
        this.startBeating(ws, message.heartbeatMs);
      } else if (message.type === 'command') void this.run(ws, message);
    });
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearInterval(this.beat);
      if (this.stopped) return;
      if (code === LINE_CLOSE.signedOut) void this.cloud.call('/auth/me', {}).catch(() => undefined);
      this.failures += 1;
      this.state = 'waiting';
      if (!refused && code !== LINE_CLOSE.stopping && this.failures === 1)
        this.logger.log(`device line closed (${code}); connecting again`);
      const wait = backoff(this.config.env.AGENT_LINE_RETRY_MS, this.failures);
      const renewed = this.renewed;
      this.renewed = null;
      // Once in a row: a token refused again right after its renewal waits as any failure does.
      if (renewed && !this.retriedRenewed) {
        this.retriedRenewed = true;
        return void renewed.then((ok) => (this.stopped ? undefined : this.later(ok ? 0 : wait)));
      }
      this.retriedRenewed = false;
      if (opened || CLOUD_REFUSALS.has(status) || this.config.env.AGENT_LINE_TRANSPORT !== 'auto') return this.later(wait);
      void this.upgradeDropped().then((dropped) => {
        if (!dropped || ++this.drops < DROPS_BEFORE_POLLING) return this.later(wait);
        this.logger.warn(
          'device line: the WebSocket upgrade does not get through to the cloud (a proxy in between?); long-polling instead',
        );
        void this.poll(Date.now() + POLLING_MS).then(() => {
          this.drops = 0;
          this.later(0);
        });
      });
    });
  }

  /** The upgrade failed: dropped on the way when the cloud itself answers plain calls. */
  private async upgradeDropped(): Promise<boolean> {
    try {
      const response = await fetch(new URL('/health', this.cloud.baseUrl), {
        signal: AbortSignal.timeout(this.config.env.AGENT_CLOUD_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** The line as long-polls until `untilMs` (or the agent stops). */
  private async poll(untilMs: number): Promise<void> {
    const poller = new LinePoller(
      this.cloud,
      {
        hello: () => ({
          version: packageVersion(),
          hostname: deviceName(),
          platform: `${process.platform}-${process.arch}`,
          capacity: this.capacity(),
        }),
        run: (command) => this.answerTo(command),
        online: (polling) => (this.state = polling ? 'polling' : this.cloud.session() ? 'waiting' : 'signed-out'),
        backoff: (failures) => backoff(this.config.env.AGENT_LINE_RETRY_MS, failures),
      },
      this.config.env.AGENT_CLOUD_TIMEOUT_MS,
    );
    this.poller = poller;
    await poller.run(untilMs);
    if (this.poller === poller) this.poller = null;
  }

  private later(ms: number): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => this.connect(), ms);
    this.retry.unref();
  }

  private startBeating(ws: WebSocket, heartbeatMs: number): void {
    clearInterval(this.beat);
    this.beat = setInterval(() => {
      // Two beats without a word from the cloud: the line is dead even if TCP has not noticed.
      if (Date.now() - this.lastHeard > 2 * heartbeatMs + 1_000) {
        ws.terminate();
        return;
      }
      this.send(ws, { type: 'heartbeat', capacity: this.capacity() });
    }, heartbeatMs);
    this.beat.unref();
  }

  private async run(ws: WebSocket, command: DeviceCommand): Promise<void> {
    this.send(ws, { type: 'answer', commandId: command.commandId, ...(await this.answerTo(command)) });
    // The device's capacity changed (a window more or less): the cloud hears it now, not at the next beat.
    this.send(ws, { type: 'heartbeat', capacity: this.capacity() });
  }

  private answerTo(command: DeviceCommand): Promise<ApiEnvelope> {
    return this.commands.run(command).catch((error: unknown) => {
      if (error instanceof DomainError) return { code: error.code, msg: error.message, data: {} };
      this.logger.warn(`device command ${command.kind} failed: ${(error as Error).message}`);
      return { code: ResultCode.Unavailable, msg: 'The agent could not do it', data: {} };
    });
  }

  private send(ws: WebSocket, message: AgentLineMessage): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  }

  private capacity(): DeviceCapacity {
    return { windowsRunning: this.windows.all().length, freeMemoryBytes: freemem(), totalMemoryBytes: totalmem() };
  }
}

/** The wait before attempt `failures`: up to base·2^(failures-1), at least half of it, at most 30 s. */
export function backoff(baseMs: number, failures: number, random = Math.random): number {
  const ceiling = Math.min(RETRY_MAX_MS, baseMs * 2 ** Math.min(20, Math.max(0, failures - 1)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The host name as the cloud takes it: printable, at most 100 characters. */
export function deviceName(name = hostname()): string {
  return name.replace(/[^\p{L}\p{N}._-]/gu, '').slice(0, 100) || 'device';
}
