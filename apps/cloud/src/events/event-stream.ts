import type { Response } from 'express';
import { BoundedEventStream } from '@cos/server-common';
import { AuthContext } from '../access/auth-context';
import { AuditRow, auditView, visibilityOf } from '../audit/audit-visibility';

/** An audit row ready to go out: serialized once, whatever number of streams it goes to. */
export interface OutgoingEvent {
  id: number;
  row: AuditRow;
  frame: string;
}

/** Events committed together, offered as one to every stream of their teams. */
export interface EventBatch {
  events: readonly OutgoingEvent[];
  /** What the batch's events of each team weigh: what a stream of that team owes until it writes them. */
  bytesByTeam: ReadonlyMap<number, number>;
}

export function batchOf(events: readonly OutgoingEvent[]): EventBatch {
  const bytesByTeam = new Map<number, number>();
  for (const event of events) bytesByTeam.set(event.row.team_id, (bytesByTeam.get(event.row.team_id) ?? 0) + event.frame.length);
  return { events, bytesByTeam };
}

export function outgoing(row: AuditRow): OutgoingEvent {
  const id = Number(row.id);
  return { id, row, frame: `id: ${id}\nevent: ${row.kind}\ndata: ${JSON.stringify(auditView(row))}\n\n` };
}

/** Events are written in pieces of about this size. */
const WRITE_CHUNK = 16 * 1024;
/** Live rows held while the replay is read; a stream that gathers more has fallen behind. */
const HELD_MAX = 5_000;

/**
 * One client's `GET /events` (see `BoundedEventStream`): what the socket does not take waits in
 * the stream's queue, which holds references to events shared by every stream, not copies.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class EventStream extends BoundedEventStream {
  /** Where a fresh or resumed stream starts: older rows are not news to it. */
  private readonly startId: number;
  /** Ids the replay sent: live delivery of the same rows skips them (the hub never offers a live row twice). */
  private replayedIds: Set<number> | null = null;
  private readonly sees: (row: AuditRow) => boolean;
  /** Live batches that arrived while the replay was read; null once it was. */
  private held: EventBatch[] | null = [];
  /**
   * Batches the socket has not taken yet, the first from `cursor` on. Whole batches, shared with
   * every other stream, are queued: which events this client may see is asked as they are written.
   * What is owed counts the team's events only.
   */
  private queue: EventBatch[] = [];
  private cursor = 0;
  /** Ends the stream when its caller's session or API token runs out. */
  private expiry?: NodeJS.Timeout;

  constructor(
    public auth: AuthContext,
    after: number,
    res: Response,
    bufferBytes: number,
  ) {
    super(res, after, bufferBytes);
    this.startId = after;
    this.sees = visibilityOf(auth);
    res.once('close', () => clearTimeout(this.expiry));
  }

  /** Ends the stream at `when` (ms since the epoch; Infinity for never). */
  endAt(when: number): void {
    clearTimeout(this.expiry);
    if (this.ended || !Number.isFinite(when)) return;
    const wait = when - Date.now();
    if (wait <= 0) return this.end();
    // A timer holds at most 2^31-1 ms (about 24.8 days): a later end is armed again from there.
    this.expiry = setTimeout(() => this.endAt(when), Math.min(wait, MAX_TIMER_MS));
    this.expiry.unref();
  }

  /** Live events: held while the replay is read, sent otherwise. O(1) per stream, however big the batch. */
  deliver(batch: EventBatch): void {
    if (this.ended) return;
    if (!this.held) return this.send(batch);
    this.held.push(batch);
    if (this.held.reduce((n, held) => n + held.events.length, 0) > HELD_MAX) this.cut();
  }

  /** The missed events a resuming client is sent first; what arrived meanwhile follows them. */
  replay(events: readonly OutgoingEvent[]): void {
    this.send(batchOf(events));
    this.replayedIds = new Set(events.map((event) => event.id));
    const held = this.held ?? [];
    this.held = null;
    for (const batch of held) this.send(batch);
  }

  private send(batch: EventBatch): void {
    if (this.ended) return;
    this.queue.push(batch);
    this.owe(batch.bytesByTeam.get(this.auth.teamId) ?? 0);
  }

  protected drop(): void {
    this.queue = [];
    this.held = null;
  }

  /** Writes what this client may see of the queued batches, until the socket wants no more. */
  protected flush(): void {
    const teamId = this.auth.teamId;
    const replayed = this.replayedIds;
    while (!this.ended && !this.blocked && this.queue.length > 0) {
      let chunk = '';
      while (this.queue.length > 0 && chunk.length < WRITE_CHUNK) {
        const events = this.queue[0].events;
        while (this.cursor < events.length && chunk.length < WRITE_CHUNK) {
          const event = events[this.cursor++];
          if (event.row.team_id !== teamId) continue;
          this.owedBytes -= event.frame.length;
          if (event.id <= this.startId || replayed?.has(event.id) || !this.sees(event.row)) continue;
          chunk += event.frame;
          this.lastWrittenId = Math.max(this.lastWrittenId, event.id);
        }
        if (this.cursor >= events.length) {
          this.queue.shift();
          this.cursor = 0;
        }
      }
      if (chunk) this.write(chunk);
    }
  }
}
