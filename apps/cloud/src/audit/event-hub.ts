import { Injectable, Logger, MessageEvent, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Observable, Subscriber } from 'rxjs';
import { DataSource } from 'typeorm';
import { AuthContext } from '../auth/auth-context';
import { ClusterBus } from '../cluster/cluster-bus';
import { DatabaseLocation } from '../database/database.module';
import { AuditRow, auditView, visibleTo } from './audit-visibility';

interface Listener {
  auth: AuthContext;
  subscriber: Subscriber<MessageEvent>;
  /** Where a fresh or resumed stream starts: older rows are not news to it. */
  lastId: number;
  /** Ids sent lately: a replay and live delivery, or two overlapping notifications, never send one twice. */
  sent: Set<number>;
  /** Live rows that arrived while the replay was read. */
  held: AuditRow[] | null;
}

/** At most this many missed events are replayed to a client that comes back. */
const REPLAY_MAX = 1_000;
/** Ids each stream remembers having sent. */
const SENT_REMEMBERED = 10_000;
/** How often the embedded database (one instance, no listener) is looked at for new events. */
const POLL_MS = 500;

/**
 * The live side of the audit trail: each cloud instance hears that rows were committed (the
 * cluster bus, from any instance), reads them once, and sends each to the team's connected
 * clients that may see it. A client that reconnects with `Last-Event-ID` is first sent what it
 * missed. A session that ends or a member who changes loses the stream (they reconnect with
 * what they may see now).
 */
@Injectable()
export class EventHub implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventHub.name);
  private readonly listeners = new Set<Listener>();
  private newestSeen = 0;
  private queue: Promise<void> = Promise.resolve();
  private poller?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly bus: ClusterBus,
    private readonly location: DatabaseLocation,
  ) {
    bus.subscribe((event) => {
      // One range after another, in the order the commits were heard.
      if (event.kind === 'audit-appended') this.queue = this.queue.then(() => this.dispatch(event.fromId, event.toId));
      else if (event.kind === 'session-ended') this.endWhere((auth) => auth.sessionId === event.sessionId);
      else this.endWhere((auth) => auth.userId === event.userId);
    });
  }

  /** The embedded database's poll starts from what exists now: older events are replays, not news. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.location.mode !== 'embedded') return;
    this.newestSeen = await this.newestId();
  }

  onApplicationShutdown(): void {
    clearInterval(this.poller);
    for (const listener of this.listeners) listener.subscriber.complete();
  }

  /**
   * The newest event id there is: a fresh stream starts after it. This instance may not have
   * heard of it yet (another instance's notification can still be on its way), so it is read,
   * not taken from what was heard.
   */
  async newestId(): Promise<number> {
    const [{ newest }] = await this.db.query<{ newest: string | null }[]>(`SELECT max(id) AS newest FROM audit_events`);
    return Number(newest ?? 0);
  }

  /**
   * Every visible event after `after`: first those already committed (read once), then live ones
   * as they are heard, each once. A fresh client passes the newest id there was when it came.
   */
  stream(auth: AuthContext, after: number): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      const listener: Listener = { auth, subscriber, lastId: after, sent: new Set(), held: [] };
      this.listeners.add(listener);
      this.startPolling();
      void this.replay(listener, after);
      return () => this.listeners.delete(listener);
    });
  }

  private async replay(listener: Listener, after: number): Promise<void> {
    try {
      const rows = await this.db.query<AuditRow[]>(`SELECT * FROM audit_events WHERE team_id = $1 AND id > $2 ORDER BY id LIMIT $3`, [
        listener.auth.teamId,
        after,
        REPLAY_MAX,
      ]);
      for (const row of rows) this.send(listener, row);
    } catch (error) {
      this.logger.warn(`replay failed: ${(error as Error).message}`);
    }
    this.release(listener);
  }

  private release(listener: Listener): void {
    const held = listener.held ?? [];
    listener.held = null;
    for (const row of held) this.send(listener, row);
  }

  private async dispatch(fromId: number, toId: number): Promise<void> {
    this.newestSeen = Math.max(this.newestSeen, toId);
    if (this.listeners.size === 0) return;
    let rows: AuditRow[];
    try {
      rows = await this.db.query<AuditRow[]>(`SELECT * FROM audit_events WHERE id BETWEEN $1 AND $2 ORDER BY id`, [fromId, toId]);
    } catch (error) {
      this.logger.warn(`could not read audit events ${fromId}–${toId}: ${(error as Error).message}`);
      return;
    }
    for (const listener of this.listeners) {
      for (const row of rows) {
        if (listener.held) listener.held.push(row);
        else this.send(listener, row);
      }
    }
  }

  private send(listener: Listener, row: AuditRow): void {
    const id = Number(row.id);
    if (id <= listener.lastId || listener.sent.has(id) || !visibleTo(listener.auth, row)) return;
    listener.sent.add(id);
    if (listener.sent.size > SENT_REMEMBERED) listener.sent.delete(listener.sent.values().next().value as number);
    listener.subscriber.next({ id: String(id), type: row.kind, data: auditView(row) });
  }

  private endWhere(matches: (auth: AuthContext) => boolean): void {
    for (const listener of this.listeners) if (matches(listener.auth)) listener.subscriber.complete();
  }

  /** The embedded database tells no one: its one instance looks for new rows while clients listen. */
  private startPolling(): void {
    if (this.location.mode !== 'embedded' || this.poller) return;
    this.poller = setInterval(() => void this.poll(), POLL_MS);
    this.poller.unref();
  }

  private async poll(): Promise<void> {
    try {
      const top = await this.newestId();
      if (top > this.newestSeen) {
        const from = this.newestSeen + 1;
        this.newestSeen = top;
        this.queue = this.queue.then(() => this.dispatch(from, top));
        await this.queue;
      }
    } catch (error) {
      this.logger.warn(`event poll failed: ${(error as Error).message}`);
    }
  }
}
