import type { Response } from 'express';
import { AuthContext } from '../auth/auth-context';
import { AuditRow, auditView, visibleTo } from './audit-visibility';

/** An audit row ready to go out: serialized once, whatever number of streams it goes to. */
export interface OutgoingEvent {
  id: number;
  row: AuditRow;
  frame: string;
}

export function outgoing(row: AuditRow): OutgoingEvent {
  const id = Number(row.id);
  return { id, row, frame: `id: ${id}\nevent: ${row.kind}\ndata: ${JSON.stringify(auditView(row))}\n\n` };
}

/** Ids each stream remembers having sent (a replay overlapping live delivery, or two overlapping notifications). */
const SENT_REMEMBERED = 4_096;
/** Events are written in pieces of about this size. */
const WRITE_CHUNK = 16 * 1024;
/** Live rows held while the replay is read; a stream that gathers more has fallen behind. */
const HELD_MAX = 5_000;
/** How long a cut stream's client gets to read its last event before the connection is dropped. */
const CUT_GRACE_MS = 5_000;

/**
 * One client's `GET /events`, written straight to the socket as fast as the client reads: what
 * the socket does not take waits in the stream's queue, which holds references to events shared
 * by every stream, not copies. Past `bufferBytes` of events waiting, the client is not keeping
 * up: the stream is cut with a last event telling it where to resume (`Last-Event-ID`), and the
 * connection dropped soon after.
 */
export class EventStream {
  /** Where a fresh or resumed stream starts: older rows are not news to it. */
  private readonly startId: number;
  private readonly sent = new Set<number>();
  /** Live events that arrived while the replay was read; null once it was. */
  private held: OutgoingEvent[] | null = [];
  /** Events for this client that the socket has not taken yet, from `head` on. */
  private queue: OutgoingEvent[] = [];
  private head = 0;
  private queuedBytes = 0;
  /** Waiting for the socket to drain. */
  private blocked = false;
  /** The newest event handed to the socket: where the client resumes. */
  private lastWrittenId: number;
  private ended = false;

  constructor(
    public auth: AuthContext,
    after: number,
    private readonly res: Response,
    private readonly bufferBytes: number,
  ) {
    this.startId = after;
    this.lastWrittenId = after;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    res.socket?.setKeepAlive(true);
    res.socket?.setTimeout(0);
    res.write('\n');
    res.on('drain', () => {
      this.blocked = false;
      this.flush();
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Calls `done` once the client is gone, however the stream ended. */
  onGone(done: () => void): void {
    this.res.once('close', () => {
      this.ended = true;
      this.queue = [];
      this.queuedBytes = 0;
      this.held = null;
      done();
    });
  }

  /** Live events: held while the replay is read, sent otherwise. */
  deliver(events: readonly OutgoingEvent[]): void {
    if (this.ended) return;
    if (!this.held) return this.send(events);
    this.held.push(...events);
    if (this.held.length > HELD_MAX) this.cut();
  }

  /** The replay was sent: what arrived meanwhile follows it. */
  replayed(): void {
    const held = this.held ?? [];
    this.held = null;
    this.send(held);
  }

  send(events: readonly OutgoingEvent[]): void {
    if (this.ended) return;
    for (const event of events) {
      if (event.id <= this.startId || this.sent.has(event.id) || !visibleTo(this.auth, event.row)) continue;
      this.sent.add(event.id);
      if (this.sent.size > SENT_REMEMBERED) this.sent.delete(this.sent.values().next().value as number);
      this.queue.push(event);
      this.queuedBytes += event.frame.length;
    }
    if (this.queuedBytes > this.bufferBytes) return this.cut();
    this.flush();
  }

  /** A comment clients ignore: proxies keep the connection. A client that does not read is not written to. */
  heartbeat(): void {
    if (!this.ended && !this.blocked) this.res.write(': \n\n');
  }

  /** Ends the stream cleanly (session ended, member changed, shutdown): the client learns nothing new here. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.res.end();
  }

  /** Writes what waits until the socket wants no more. */
  private flush(): void {
    while (!this.ended && !this.blocked && this.head < this.queue.length) {
      let chunk = '';
      while (this.head < this.queue.length && chunk.length < WRITE_CHUNK) {
        const event = this.queue[this.head++];
        chunk += event.frame;
        this.queuedBytes -= event.frame.length;
        this.lastWrittenId = Math.max(this.lastWrittenId, event.id);
      }
      this.blocked = !this.res.write(chunk);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.queuedBytes = 0;
      this.head = 0;
    } else if (this.head > 1_024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** The client reads too slowly: it is told where to resume, and let go. */
  private cut(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.held = null;
    const data = {
      code: 429,
      msg: `Events were not read fast enough; reconnect with Last-Event-ID: ${this.lastWrittenId}`,
      lastEventId: this.lastWrittenId,
    };
    this.res.end(`event: stream.cut\ndata: ${JSON.stringify(data)}\n\n`);
    const drop = setTimeout(() => this.res.destroy(), CUT_GRACE_MS);
    drop.unref();
    this.res.once('close', () => clearTimeout(drop));
  }
}
