import type { ConnectionTransport } from 'puppeteer-core';

/** A command Firefox refused: its WebDriver error code (`no such frame`, `invalid argument`, …) and message. */
export class BidiCommandError extends Error {
  constructor(
    readonly error: string,
    message: string,
  ) {
    super(message ? `${error}: ${message}` : error);
    this.name = 'BidiCommandError';
  }
}

/** The client's connection ended (the window closed, or its session was taken again). */
export class BidiClosedError extends Error {
  constructor() {
    super("The window's BiDi connection closed");
    this.name = 'BidiClosedError';
  }
}

type EventHandler = (params: Record<string, unknown>) => void;

interface Pending {
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Raw WebDriver BiDi over a window's multiplexer: commands answered by id, events by name. The
 * inspection needs what puppeteer keeps to itself (sandbox realms, shared element ids, prompt and
 * download events, collected network bodies), so it speaks the protocol directly, as one more
 * client of the multiplexer.
 */
export class BidiClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Set<EventHandler>>();
  private readonly closeHandlers = new Set<() => void>();
  private closed = false;

  constructor(private readonly transport: ConnectionTransport) {
    transport.onmessage = (message) => this.receive(message);
    transport.onclose = () => this.ended();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    if (this.closed) return Promise.reject(new BidiClosedError());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new BidiCommandError('timeout', `${method} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (result: Record<string, unknown>) => void, reject, timer });
      this.transport.send(JSON.stringify({ id, method, params }));
    });
  }

  on(method: string, handler: EventHandler): void {
    const set = this.handlers.get(method) ?? new Set<EventHandler>();
    set.add(handler);
    this.handlers.set(method, set);
  }

  onClose(handler: () => void): void {
    if (this.closed) queueMicrotask(handler);
    else this.closeHandlers.add(handler);
  }

  close(): void {
    if (this.closed) return;
    this.transport.close();
    this.ended();
  }

  private receive(raw: string): void {
    let message: { id?: number; type?: string; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown> };
    let failure: { error?: string; message?: string };
    try {
      message = JSON.parse(raw) as typeof message;
      failure = message as typeof failure;
    } catch {
      return;
    }
    if (message.type === 'event' && message.method) {
      for (const handler of this.handlers.get(message.method) ?? []) {
        try {
          handler(message.params ?? {});
        } catch {
          // One handler's fault must not stop the others or the connection.
        }
      }
      return;
    }
    if (typeof message.id !== 'number') return;
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.type === 'success') waiting.resolve(message.result ?? {});
    else waiting.reject(new BidiCommandError(failure.error ?? 'unknown error', failure.message ?? ''));
  }

  private ended(): void {
    if (this.closed) return;
    this.closed = true;
    for (const waiting of this.pending.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(new BidiClosedError());
    }
    this.pending.clear();
    for (const handler of this.closeHandlers) handler();
    this.closeHandlers.clear();
  }
}
