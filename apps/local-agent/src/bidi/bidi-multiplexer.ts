/**
 * Long: the one place where the window's single BiDi session meets many clients; session start,
 * command routing, per-client clean-up and limits read best side by side.
 */
import { Logger } from '@nestjs/common';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectionTransport } from 'puppeteer-core';
import { ConflictError } from '@cos/contracts';
import { fromWebPage } from '../security/web-page';
import { sessionWideRefusal } from './session-policy';
import { ClientResources, Undo } from './client-resources';
import { EventRoutes, Subscription } from './event-routes';
import { acceptFrameSocket, connectFrameSocket, FrameSocket, Oversized } from './frame-socket';

/** The BiDi session the agent holds in Firefox. */
export interface HeldSession {
  id: string;
  capabilities: Record<string, unknown>;
}

export interface MultiplexerLimits {
  /** The largest message either way; larger ones are refused with a BiDi error, the session kept. */
  maxMessageBytes: number;
  /** Clients connected over sockets at once. */
  maxClients: number;
}

/** Someone else holds the window's one BiDi session: the window must not run. */
export class SessionTakenError extends ConflictError {
  constructor() {
    super("Another program took this window's WebDriver BiDi session before the agent could; the window was stopped");
  }
}

interface Client {
  send(text: string): void;
  close(code: number, reason: string): void;
  subscriptions: Map<string, Subscription>;
  inFlight: number;
  gone: boolean;
  /** The agent's own client (`localTransport`): the only one whose `browser.close` reaches Firefox. */
  local?: boolean;
}

interface Asked {
  client: Client;
  id: number;
  method: string;
  params: Record<string, unknown>;
  subscriptionKey?: string;
}

type Json = Record<string, unknown>;

/** Bound on reaching Firefox's BiDi port. */
const OPEN_TIMEOUT_MS = 10_000;
/** Bound on `session.new`, which Firefox answers once its startup is done: on a loaded machine that takes a while. */
const SESSION_TIMEOUT_MS = 90_000;
/** Commands of one client waiting for Firefox's answer; more are refused until some are answered. */
const IN_FLIGHT_MAX = 1_000;
/** Ids of the probes before `session.new`: late answers to them match no command of the multiplexer. */
const PROBE_IDS = 2 ** 52;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** An answer as Firefox wrote it with another id: its text starts `{"type":"success","id":N`. */
function withId(text: string, id: number): string | null {
  const match = /^\{"type":"(success|error)","id":(\d+|null),/.exec(text);
  return match ? `{"type":"${match[1]}","id":${id},${text.slice(match[0].length)}` : null;
}

/**
 * Firefox takes one WebDriver BiDi session. The agent holds it and serves it to any number of
 * clients on 127.0.0.1 (`/session/<local token>`): each gets a session of its own — `session.new`
 * and `session.end` are answered here with the capabilities Firefox gave the agent — commands
 * are forwarded with their ids mapped, answers go back to whoever asked, and events go to the
 * clients that subscribed to them. The agent's own work (setup, cookies at close) is one more
 * client. A request from a web page or without the token gets nothing.
 *
 * No client can end the others' automation: every message is bounded either way (a larger one
 * is answered with a BiDi error and the connection kept), a client that stops reading is let go,
 * and what a client set up in the session (intercepts, preload scripts, subscriptions) goes with it.
 * The agent never ends its session: Firefox keeps a session whose connection closed and lets
 * nobody take another, so a window is never reachable without the local token.
 */
export class BidiMultiplexer {
  private readonly logger = new Logger(BidiMultiplexer.name);
  private readonly clients = new Set<Client>();
  private socketClients = 0;
  /** Upstream id → who asked, under which id, what, and (for a subscribe) where its events were filed. */
  private readonly pending = new Map<number, Asked>();
  private nextId = 1;
  /** Answers to the multiplexer's own commands (context tracking, clean-up). */
  private readonly ownAnswers = new Map<number, (result: Json | undefined) => void>();
  private readonly routes = new EventRoutes();
  private readonly resources = new ClientResources<Client>();

  private constructor(
    private readonly upstream: FrameSocket,
    private readonly server: Server,
    private readonly limits: MultiplexerLimits,
    /** The session the agent holds in Firefox. */
    readonly session: HeldSession,
    readonly endpoint: string,
  ) {
    upstream.onMessage = (text) => this.fromFirefox(text);
    upstream.onOversized = (message) => this.oversizedFromFirefox(message);
    upstream.onClose = () => this.closeClients();
    this.own('session.subscribe', { events: EventRoutes.TRACKED_EVENTS });
    this.own('browsingContext.getTree', {}, (result) => this.routes.seedTree(result?.contexts));
  }

  /**
   * Takes Firefox's session at `firefoxEndpoint` and serves it; `token()` is the local token now.
   * A refused `session.new` means another program took the session first: SessionTakenError, at
   * once, so the caller stops that Firefox before the program can use it.
   */
  static async start(firefoxEndpoint: string, token: () => string, limits: MultiplexerLimits): Promise<BidiMultiplexer> {
    const upstream = await connectFrameSocket(firefoxEndpoint, { maxMessageBytes: limits.maxMessageBytes }, OPEN_TIMEOUT_MS);
    let session: HeldSession;
    try {
      session = await BidiMultiplexer.newSession(upstream);
    } catch (error) {
      upstream.destroy();
      throw error;
    }
    let mux: BidiMultiplexer | null = null;
    const server = await BidiMultiplexer.listen(token, (request, socket, head) => mux?.accept(request, socket, head));
    const port = (server.address() as AddressInfo).port;
    mux = new BidiMultiplexer(upstream, server, limits, session, `ws://127.0.0.1:${port}/session/${token()}`);
    return mux;
  }

  /**
   * Firefox drops what arrives in the moment between its handshake answer and its connection
   * listening: `session.status` (answered at once) is asked until an answer proves it listens,
   * then `session.new`. The probes' ids are far above any the multiplexer will use.
   */
  private static newSession(upstream: FrameSocket): Promise<HeldSession> {
    return new Promise<HeldSession>((resolve, reject) => {
      let probeId = PROBE_IDS;
      let asked = false;
      const probe = () => upstream.send(JSON.stringify({ id: probeId++, method: 'session.status', params: {} }));
      const probing = setInterval(probe, 20);
      const timer = setTimeout(() => settle(new Error('Firefox did not answer session.new')), SESSION_TIMEOUT_MS);
      const settle = (outcome: HeldSession | Error) => {
        clearInterval(probing);
        clearTimeout(timer);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      upstream.onClose = () => settle(new Error('Firefox closed its WebDriver BiDi connection'));
      upstream.onMessage = (text) => {
        const answer = JSON.parse(text) as {
          id?: number;
          type: string;
          result?: { sessionId: string; capabilities?: Json };
          message?: string;
        };
        if (typeof answer.id === 'number' && answer.id >= PROBE_IDS) {
          clearInterval(probing);
          if (!asked) {
            asked = true;
            // Prompts stay open for the inspection's dialog policy (or a client) to answer; a page leaving is never held.
            const alwaysMatch = { acceptInsecureCerts: false, unhandledPromptBehavior: { default: 'ignore', beforeUnload: 'accept' } };
            const capabilities = { alwaysMatch };
            upstream.send(JSON.stringify({ id: 0, method: 'session.new', params: { capabilities } }));
          }
          return;
        }
        if (answer.id !== 0) return;
        if (answer.type === 'success' && answer.result)
          settle({ id: answer.result.sessionId, capabilities: answer.result.capabilities ?? {} });
        else if (/active sessions/i.test(answer.message ?? '')) settle(new SessionTakenError());
        else settle(new Error(`Firefox refused the BiDi session: ${answer.message ?? answer.type}`));
      };
      probe();
    });
  }

  /** Answers only WebSocket handshakes of programs holding the token; a web page's requests get no answer at all. */
  private static async listen(token: () => string, upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void) {
    const server = createServer((request, response) => {
      if (fromWebPage(request)) return void request.socket.destroy();
      response.writeHead(426, { 'Content-Type': 'text/plain' }).end('WebDriver BiDi over WebSocket only');
    });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      if (fromWebPage(request)) return void socket.destroy();
      const match = /^\/session\/([A-Za-z0-9_-]+)$/.exec(request.url ?? '');
      if (!match || !sameSecret(match[1], token())) return void socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      upgrade(request, socket, head);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
      server.listen(0, '127.0.0.1');
    });
    return server;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops serving; the session stays Firefox's, held for nobody, until the window closes. */
  async close(): Promise<void> {
    this.closeClients();
    this.upstream.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * A client inside the agent's own process (its setup, automation and close steps): puppeteer
   * speaks to the multiplexer through this transport instead of a socket to itself, which saves
   * a loopback hop each way. It is a client like any other: its own session, its own events.
   */
  localTransport(): ConnectionTransport {
    const client: Client = {
      // Answers arrive later, never inside the send that asked, as they would from a socket.
      send: (message) => queueMicrotask(() => transport.onmessage?.(message)),
      close: () => queueMicrotask(() => transport.onclose?.()),
      subscriptions: new Map(),
      inFlight: 0,
      gone: false,
      local: true,
    };
    const transport: ConnectionTransport = {
      send: (message) => this.fromClient(client, message),
      close: () => {
        if (client.gone) return;
        this.drop(client);
        queueMicrotask(() => transport.onclose?.());
      },
    };
    this.clients.add(client);
    return transport;
  }

  private accept(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.socketClients >= this.limits.maxClients) {
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n`);
      return;
    }
    const frames = acceptFrameSocket(request, socket, head, { maxMessageBytes: this.limits.maxMessageBytes });
    if (!frames) return void socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    // A client that does not read its messages would have the agent hold them without end.
    const queueMax = 2 * this.limits.maxMessageBytes;
    const client: Client = {
      send: (message) => {
        if (frames.pendingBytes > queueMax) frames.close(1008, 'The client does not read its messages');
        else frames.send(message);
      },
      close: (code, reason) => frames.close(code, reason),
      subscriptions: new Map(),
      inFlight: 0,
      gone: false,
    };
    this.socketClients++;
    this.clients.add(client);
    frames.onMessage = (text) => this.fromClient(client, text);
    frames.onOversized = (message) => this.oversizedFromClient(client, message);
    frames.onClose = () => {
      this.socketClients--;
      this.drop(client);
    };
  }

  private fromClient(client: Client, text: string): void {
    if (client.gone) return;
    let command: unknown;
    try {
      command = JSON.parse(text);
    } catch {
      return this.refuse(client, null, 'invalid argument', 'Not JSON');
    }
    if (!isObject(command)) return this.refuse(client, null, 'invalid argument', 'A command is a JSON object');
    const id = Number.isSafeInteger(command.id) && (command.id as number) >= 0 ? (command.id as number) : null;
    if (id === null || typeof command.method !== 'string' || (command.params !== undefined && !isObject(command.params))) {
      return this.refuse(client, id, 'invalid argument', 'A command needs a non-negative integer id, a method and object params');
    }
    const method = command.method;
    const params = command.params ?? {};
    switch (method) {
      case 'session.new':
        return this.reply(client, { type: 'success', id, result: { sessionId: randomUUID(), capabilities: this.session.capabilities } });
      case 'session.end':
        this.release(client);
        return this.reply(client, { type: 'success', id, result: {} });
      case 'browser.close':
        if (client.local) break;
        // A script's `browser.close()` ends its own session, not the window others work in: the
        // window closes through the agent, which keeps its profile and cookies.
        this.reply(client, { type: 'success', id, result: {} });
        client.close(1000, 'The session ended; the window stays open until the agent closes it');
        return this.drop(client);
      case 'session.unsubscribe':
        if (!Array.isArray(params.subscriptions)) {
          // By event names: only this client stops getting them (others may still want them from Firefox).
          this.unsubscribeEvents(client, params);
          return this.reply(client, { type: 'success', id, result: {} });
        }
    }
    const refusal = (client.local ? null : sessionWideRefusal(method, params)) ?? this.resources.refusal(client, method, params);
    if (refusal) return this.refuse(client, id, refusal.error, refusal.message);
    if (client.inFlight >= IN_FLIGHT_MAX) {
      return this.refuse(client, id, 'unknown error', `More than ${IN_FLIGHT_MAX} commands of this client wait for answers`);
    }
    if (!this.upstream.open) return this.refuse(client, id, 'unknown error', "The window's browser is gone");
    const upstreamId = this.nextId++;
    const asked: Asked = { client, id, method, params };
    if (method === 'session.subscribe') {
      // Filed at once: events may start before Firefox answers.
      const { key, subscription } = this.routes.subscription(params);
      client.subscriptions.set(key, subscription);
      asked.subscriptionKey = key;
    }
    this.pending.set(upstreamId, asked);
    client.inFlight++;
    this.upstream.send(JSON.stringify({ ...command, id: upstreamId }));
  }

  private oversizedFromClient(client: Client, message: Oversized): void {
    const id = /"id"\s*:\s*(\d+)/.exec(message.head);
    this.refuse(
      client,
      id ? Number(id[1]) : null,
      'invalid argument',
      `The message is ${message.bytes} bytes, more than the ${this.limits.maxMessageBytes} a message through the agent may have`,
    );
  }

  private fromFirefox(text: string): void {
    let message: { type?: unknown; id?: unknown; method?: unknown; params?: unknown; result?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return this.logger.warn(`Firefox sent something that is not JSON (${text.slice(0, 80)})`);
    }
    if (message.type === 'event' && typeof message.method === 'string') {
      const params = isObject(message.params) ? message.params : {};
      const context = this.routes.observe(message.method, params);
      this.resources.observe(message.method, params);
      for (const client of this.clients) if (this.routes.wants(client.subscriptions.values(), message.method, context)) client.send(text);
      this.routes.forget(message.method, params);
      return;
    }
    if (typeof message.id !== 'number') return;
    const result = isObject(message.result) ? message.result : undefined;
    const own = this.ownAnswers.get(message.id);
    if (own) {
      this.ownAnswers.delete(message.id);
      return own(result);
    }
    const asked = this.pending.get(message.id);
    if (!asked) return;
    this.pending.delete(message.id);
    asked.client.inFlight--;
    if (asked.subscriptionKey) {
      const events = asked.client.subscriptions.get(asked.subscriptionKey);
      asked.client.subscriptions.delete(asked.subscriptionKey);
      // Firefox's subscription id files the events, for a later unsubscribe by id; a refused subscribe files nothing.
      const subscription = result?.subscription;
      if (message.type === 'success' && events && !asked.client.gone)
        asked.client.subscriptions.set(typeof subscription === 'string' ? subscription : randomUUID(), events);
    }
    if (message.type === 'success' && result) {
      if (asked.method === 'session.unsubscribe') this.unsubscribeIds(asked.client, asked.params);
      this.undo(this.resources.answered(asked.client, asked.client.gone, asked.method, asked.params, result));
    }
    if (!asked.client.gone) asked.client.send(withId(text, asked.id) ?? JSON.stringify({ ...message, id: asked.id }));
  }

  /** An answer too large for the agent goes back as an error to whoever asked; an event that large is dropped. */
  private oversizedFromFirefox(message: Oversized): void {
    const id = /^\s*\{\s*"type"\s*:\s*"(?:success|error)"\s*,\s*"id"\s*:\s*(\d+)/.exec(message.head);
    if (!id) {
      const method = /"method"\s*:\s*"([^"]{1,100})"/.exec(message.head)?.[1] ?? 'an unknown';
      return this.logger.warn(
        `dropped ${method} event of ${message.bytes} bytes (AGENT_BIDI_MESSAGE_MAX_BYTES is ${this.limits.maxMessageBytes})`,
      );
    }
    const upstreamId = Number(id[1]);
    const own = this.ownAnswers.get(upstreamId);
    if (own) {
      this.ownAnswers.delete(upstreamId);
      return own(undefined);
    }
    const asked = this.pending.get(upstreamId);
    if (!asked) return;
    this.pending.delete(upstreamId);
    asked.client.inFlight--;
    if (asked.subscriptionKey) asked.client.subscriptions.delete(asked.subscriptionKey);
    this.refuse(
      asked.client,
      asked.id,
      'unknown error',
      `The answer is ${message.bytes} bytes, more than the ${this.limits.maxMessageBytes} a message through the agent may have`,
    );
  }

  private own(method: string, params: Json, answered?: (result: Json | undefined) => void): void {
    const id = this.nextId++;
    this.ownAnswers.set(id, (result) => answered?.(result));
    if (this.upstream.open) this.upstream.send(JSON.stringify({ id, method, params }));
  }

  private undo(commands: Undo[]): void {
    for (const command of commands) this.own(command.method, command.params);
  }

  private unsubscribeEvents(client: Client, params: Json): void {
    if (!Array.isArray(params.events)) return;
    const gone = new Set(params.events as string[]);
    for (const subscription of client.subscriptions.values()) for (const event of gone) subscription.events.delete(event);
  }

  private unsubscribeIds(client: Client, params: Json): void {
    for (const id of params.subscriptions as unknown[]) if (typeof id === 'string') client.subscriptions.delete(id);
  }

  private refuse(client: Client, id: number | null, error: string, message: string): void {
    this.reply(client, { type: 'error', id, error, message });
  }

  private reply(client: Client, message: unknown): void {
    if (!client.gone) client.send(JSON.stringify(message));
  }

  /** Removes from Firefox's session what the client set up there (its connection stays, if any). */
  private release(client: Client): void {
    client.subscriptions.clear();
    this.undo(this.resources.release(client));
  }

  /** A client that left: its answers still on the way are dropped, and what they would have set up removed. */
  private drop(client: Client): void {
    if (client.gone) return;
    client.gone = true;
    this.clients.delete(client);
    this.release(client);
  }

  private closeClients(): void {
    for (const client of [...this.clients]) {
      client.close(1001, "The window's browser is gone");
      this.drop(client);
    }
  }
}
