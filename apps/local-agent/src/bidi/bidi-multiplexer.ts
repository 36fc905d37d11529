import { randomUUID, timingSafeEqual } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import type { ConnectionTransport } from 'puppeteer-core';
import WebSocket, { RawData, WebSocketServer } from 'ws';

interface Command {
  id: number;
  method: string;
  params?: Record<string, unknown>;
}

/** The BiDi session the agent holds in Firefox. */
export interface HeldSession {
  id: string;
  capabilities: Record<string, unknown>;
}

/** One `session.subscribe` of a client: event names or whole modules, and where (null: everywhere). */
interface Subscription {
  events: Set<string>;
  /** Top-level browsing contexts the events must come from. */
  contexts: Set<string> | null;
  userContexts: Set<string> | null;
}

interface Client {
  send(text: string): void;
  close(): void;
  subscriptions: Map<string, Subscription>;
}

interface TreeNode {
  context: string;
  parent?: string | null;
  userContext?: string;
  children?: TreeNode[] | null;
}

const OPEN_TIMEOUT_MS = 10_000;
const RELEASE_TIMEOUT_MS = 2_000;

function text(data: RawData | string): string {
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return Buffer.concat(data).toString();
  return Buffer.isBuffer(data) ? data.toString() : Buffer.from(data).toString();
}

/** The browsing context an event names: its own field, or its source's (log, script messages). */
function namedContext(params: Record<string, unknown>): string | null {
  if (typeof params.context === 'string') return params.context;
  const source = params.source as { context?: unknown } | undefined;
  return typeof source?.context === 'string' ? source.context : null;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Firefox takes one WebDriver BiDi session. The agent holds it and serves it to any number of
 * clients on 127.0.0.1 (`/session/<local token>`): each gets a session of its own — `session.new`
 * and `session.end` are answered here with the capabilities Firefox gave the agent — commands
 * are forwarded with their ids mapped, answers go back to whoever asked, and events go to the
 * clients that subscribed to them. The agent's own work (setup, cookies at close) is one more
 * client. A request from a web page (it has an Origin) or without the token is refused.
 */
export class BidiMultiplexer {
  private readonly clients = new Set<Client>();
  /** Upstream id → who asked, under which id, and (for a subscribe) where its events were filed. */
  private readonly pending = new Map<number, { client: Client; id: number; subscriptionKey?: string }>();
  private nextId = 1;
  /** Answers to the multiplexer's own commands (context tracking, ending the session). */
  private readonly ownAnswers = new Map<number, (message: { result?: Record<string, unknown> }) => void>();
  /** Every browsing context's parent (null for a tab) and user context, for subscriptions limited to some. */
  private readonly contexts = new Map<string, { parent: string | null; userContext: string }>();
  /** Each window realm's browsing context: `script.realmDestroyed` names only the realm. */
  private readonly realms = new Map<string, string>();

  private constructor(
    private readonly upstream: WebSocket,
    private readonly server: WebSocketServer,
    /** The session the agent holds in Firefox. */
    readonly session: HeldSession,
    readonly endpoint: string,
  ) {
    upstream.on('message', (data) => this.fromFirefox(data));
    upstream.on('close', () => this.closeClients());
    upstream.on('error', () => this.closeClients());
    this.trackContexts();
  }

  /** The context tree, kept current from Firefox's own events, so events of frames reach subscribers of their tab. */
  private trackContexts(): void {
    this.own('session.subscribe', {
      events: ['browsingContext.contextCreated', 'browsingContext.contextDestroyed', 'script.realmCreated', 'script.realmDestroyed'],
    });
    this.own('browsingContext.getTree', {}, (result) => {
      const visit = (nodes: TreeNode[] | null | undefined, parent: string | null) => {
        for (const node of nodes ?? []) {
          this.contexts.set(node.context, { parent, userContext: node.userContext ?? 'default' });
          visit(node.children, node.context);
        }
      };
      visit(result?.contexts as TreeNode[] | undefined, null);
    });
  }

  private own(method: string, params: Record<string, unknown>, answered?: (result: Record<string, unknown> | undefined) => void): void {
    const id = this.nextId++;
    this.ownAnswers.set(id, (message) => answered?.(message.result));
    if (this.upstream.readyState === WebSocket.OPEN) this.upstream.send(JSON.stringify({ id, method, params }));
  }

  /**
   * Takes Firefox's session at `firefoxEndpoint` and serves it; `token()` is the local token now.
   * With `port` (a window adopted after an agent restart) it serves on the port it had when that
   * is free, so the endpoint its scripts know stays valid. Firefox ends a session shortly after
   * its connection closes: an earlier agent's session is waited out.
   */
  static async start(firefoxEndpoint: string, token: () => string, port = 0): Promise<BidiMultiplexer> {
    const deadline = Date.now() + OPEN_TIMEOUT_MS;
    let upstream: WebSocket;
    let session: HeldSession;
    for (;;) {
      upstream = await BidiMultiplexer.connectUpstream(firefoxEndpoint);
      try {
        session = await BidiMultiplexer.newSession(upstream);
        break;
      } catch (error) {
        upstream.terminate();
        if (!/active sessions/i.test((error as Error).message) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const server = await BidiMultiplexer.listen(port, token).catch((error: NodeJS.ErrnoException) => {
      if (port !== 0 && error.code === 'EADDRINUSE') return BidiMultiplexer.listen(0, token);
      throw error;
    });
    const mux = new BidiMultiplexer(
      upstream,
      server,
      session,
      `ws://127.0.0.1:${(server.address() as AddressInfo).port}/session/${token()}`,
    );
    server.on('connection', (socket) => mux.accept(socket));
    return mux;
  }

  private static async connectUpstream(firefoxEndpoint: string): Promise<WebSocket> {
    const upstream = new WebSocket(firefoxEndpoint, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Firefox WebDriver BiDi did not answer')), OPEN_TIMEOUT_MS);
      upstream.once('open', () => (clearTimeout(timer), resolve()));
      upstream.once('error', (error) => (clearTimeout(timer), reject(error)));
    });
    return upstream;
  }

  private static newSession(upstream: WebSocket): Promise<HeldSession> {
    return new Promise<HeldSession>((resolve, reject) => {
      upstream.once('message', (data) => {
        const answer = JSON.parse(text(data)) as {
          type: string;
          result?: { sessionId: string; capabilities?: Record<string, unknown> };
          message?: string;
        };
        if (answer.type === 'success' && answer.result)
          resolve({ id: answer.result.sessionId, capabilities: answer.result.capabilities ?? {} });
        else reject(new Error(`Firefox refused the BiDi session: ${answer.message ?? answer.type}`));
      });
      // Prompts stay open for the inspection's dialog policy (or a client) to answer; a page leaving is never held.
      const alwaysMatch = { acceptInsecureCerts: false, unhandledPromptBehavior: { default: 'ignore', beforeUnload: 'accept' } };
      upstream.send(JSON.stringify({ id: 0, method: 'session.new', params: { capabilities: { alwaysMatch } } }));
    });
  }

  private static async listen(port: number, token: () => string): Promise<WebSocketServer> {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port,
      perMessageDeflate: false,
      verifyClient: ({ req }: { req: IncomingMessage }) => {
        // Pages always send an Origin; automation libraries do not.
        if (req.headers.origin) return false;
        const match = /^\/session\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '');
        return match !== null && sameSecret(match[1], token());
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', reject);
    });
    return server;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * Ends the agent's session in Firefox (which keeps a session when its connection merely
   * closes), so the next agent can take it, then stops serving. The window keeps running.
   */
  async release(): Promise<void> {
    const id = this.nextId++;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, RELEASE_TIMEOUT_MS);
      this.ownAnswers.set(id, () => (clearTimeout(timer), resolve()));
      if (this.upstream.readyState === WebSocket.OPEN) this.upstream.send(JSON.stringify({ id, method: 'session.end', params: {} }));
      else resolve();
    });
    await this.close();
  }

  async close(): Promise<void> {
    this.closeClients();
    this.upstream.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * A client inside the agent's own process (its setup, automation and close steps): puppeteer
   * speaks to the multiplexer through this transport instead of a socket to itself, which saves
   * a loopback hop each way. It is a client like any other: its own session, its own events.
   */
  localTransport(): ConnectionTransport {
    const transport: ConnectionTransport = {
      send: (message) => this.fromClient(client, message),
      close: () => {
        if (!this.clients.has(client)) return;
        this.drop(client);
        queueMicrotask(() => transport.onclose?.());
      },
    };
    const client: Client = {
      // Answers arrive later, never inside the send that asked, as they would from a socket.
      send: (message) => queueMicrotask(() => transport.onmessage?.(message)),
      close: () => queueMicrotask(() => transport.onclose?.()),
      subscriptions: new Map(),
    };
    this.clients.add(client);
    return transport;
  }

  private accept(socket: WebSocket): void {
    const client: Client = {
      send: (message) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(message);
      },
      close: () => socket.close(),
      subscriptions: new Map(),
    };
    this.clients.add(client);
    socket.on('message', (data) => this.fromClient(client, data));
    socket.on('close', () => this.drop(client));
    socket.on('error', () => this.drop(client));
  }

  private fromClient(client: Client, data: RawData | string): void {
    let command: Command;
    try {
      command = JSON.parse(text(data)) as Command;
    } catch {
      this.reply(client, { type: 'error', id: null, error: 'invalid argument', message: 'Not JSON' });
      return;
    }
    if (typeof command.id !== 'number' || typeof command.method !== 'string') {
      this.reply(client, {
        type: 'error',
        id: command.id ?? null,
        error: 'invalid argument',
        message: 'A command needs a numeric id and a method',
      });
      return;
    }
    switch (command.method) {
      case 'session.new':
        this.reply(client, {
          type: 'success',
          id: command.id,
          result: { sessionId: randomUUID(), capabilities: this.session.capabilities },
        });
        return;
      case 'session.end':
        client.subscriptions.clear();
        this.reply(client, { type: 'success', id: command.id, result: {} });
        return;
      case 'session.unsubscribe':
        // Others may still want these events from Firefox: only this client stops getting them.
        this.unsubscribe(client, command.params ?? {});
        this.reply(client, { type: 'success', id: command.id, result: {} });
        return;
      case 'session.subscribe':
        this.forward(client, command, this.subscribe(client, command.params ?? {}));
        return;
      default:
        this.forward(client, command);
    }
  }

  private forward(client: Client, command: Command, subscriptionKey?: string): void {
    const id = this.nextId++;
    this.pending.set(id, { client, id: command.id, subscriptionKey });
    this.upstream.send(JSON.stringify({ ...command, id }));
  }

  private fromFirefox(data: RawData): void {
    const message = JSON.parse(text(data)) as {
      type: string;
      id?: number;
      method?: string;
      params?: Record<string, unknown>;
      result?: Record<string, unknown>;
    };
    if (message.type === 'event' && message.method) {
      const params = message.params ?? {};
      if (message.method === 'browsingContext.contextCreated' && typeof params.context === 'string') {
        const parent = typeof params.parent === 'string' ? params.parent : null;
        this.contexts.set(params.context, { parent, userContext: typeof params.userContext === 'string' ? params.userContext : 'default' });
      }
      if (message.method === 'script.realmCreated' && typeof params.realm === 'string' && typeof params.context === 'string') {
        this.realms.set(params.realm, params.context);
      }
      const context = namedContext(params) ?? (typeof params.realm === 'string' ? (this.realms.get(params.realm) ?? null) : null);
      for (const client of this.clients) if (this.wants(client, message.method, context)) this.reply(client, message);
      if (message.method === 'browsingContext.contextDestroyed' && typeof params.context === 'string') this.contexts.delete(params.context);
      if (message.method === 'script.realmDestroyed' && typeof params.realm === 'string') this.realms.delete(params.realm);
      return;
    }
    if (typeof message.id !== 'number') return;
    const own = this.ownAnswers.get(message.id);
    if (own) {
      this.ownAnswers.delete(message.id);
      own(message);
      return;
    }
    const asked = this.pending.get(message.id);
    if (!asked) return;
    this.pending.delete(message.id);
    if (asked.subscriptionKey) {
      const events = asked.client.subscriptions.get(asked.subscriptionKey);
      asked.client.subscriptions.delete(asked.subscriptionKey);
      // Firefox's subscription id files the events, for a later unsubscribe by id; a refused subscribe files nothing.
      const subscription = message.result?.subscription;
      if (message.type === 'success' && events)
        asked.client.subscriptions.set(typeof subscription === 'string' ? subscription : randomUUID(), events);
    }
    this.reply(asked.client, { ...message, id: asked.id });
  }

  /** Files the events at once (they may start before Firefox answers), under a key of their own until then. */
  private subscribe(client: Client, params: Record<string, unknown>): string {
    const strings = (value: unknown) => (Array.isArray(value) ? value.filter((e): e is string => typeof e === 'string') : null);
    const contexts = strings(params.contexts);
    const userContexts = strings(params.userContexts);
    const key = randomUUID();
    client.subscriptions.set(key, {
      events: new Set(strings(params.events) ?? []),
      // As in BiDi, a subscription for a frame is one for its tab.
      contexts: contexts ? new Set(contexts.map((c) => this.topOf(c))) : null,
      userContexts: userContexts ? new Set(userContexts) : null,
    });
    return key;
  }

  private topOf(context: string): string {
    let current = context;
    for (let parent = this.contexts.get(current)?.parent; parent; parent = this.contexts.get(current)?.parent) current = parent;
    return current;
  }

  private unsubscribe(client: Client, params: Record<string, unknown>): void {
    if (Array.isArray(params.subscriptions)) {
      for (const id of params.subscriptions) if (typeof id === 'string') client.subscriptions.delete(id);
    }
    if (Array.isArray(params.events)) {
      const gone = new Set(params.events as string[]);
      for (const subscription of client.subscriptions.values()) for (const event of gone) subscription.events.delete(event);
    }
  }

  /**
   * Whether a client subscribed to this event from where it happened: a subscription for some
   * tabs takes their frames' events too (a realm's events count as its context's); one for user
   * contexts takes their tabs'. An event whose context cannot be told (a worker's realm, say)
   * goes to every subscriber of it: a client may see one too many, never miss its own.
   */
  private wants(client: Client, method: string, context: string | null): boolean {
    const module = method.split('.')[0];
    for (const subscription of client.subscriptions.values()) {
      if (!subscription.events.has(method) && !subscription.events.has(module)) continue;
      if (!subscription.contexts && !subscription.userContexts) return true;
      if (context === null) return true;
      if (subscription.contexts?.has(this.topOf(context))) return true;
      if (subscription.userContexts?.has(this.contexts.get(this.topOf(context))?.userContext ?? 'default')) return true;
    }
    return false;
  }

  private reply(client: Client, message: unknown): void {
    client.send(JSON.stringify(message));
  }

  private drop(client: Client): void {
    this.clients.delete(client);
    for (const [id, asked] of this.pending) if (asked.client === client) this.pending.delete(id);
  }

  private closeClients(): void {
    for (const client of this.clients) client.close();
    this.clients.clear();
  }
}
