import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { TooManyStreamsError } from '@cos/contracts';
import { answeredEventStreamHead } from '@cos/server-common';
import { AuthContext } from '../access/auth-context';
import { AuthLoader } from '../auth/auth-loader';
import { ClusterBus } from '../cluster/cluster-bus';
import { CloudConfig } from '../config/cloud-config';
import { DatabaseLocation } from '../database/database.module';
import { AuditRow } from '../audit/audit-visibility';
import { batchOf, EventStream, outgoing } from './event-stream';

/** At most this many missed events are replayed to a client that comes back. */
const REPLAY_MAX = 1_000;
/** Events committed while the listener was down that are sent on its return; past it, streams end and clients resume. */
const CATCH_UP_MAX = 10_000;
/** Dispatched ids remembered, so that no row is offered twice. */
const DISPATCHED_REMEMBERED = 50_000;
/** How often the embedded database (one instance, no listener) is looked at for new events. */
const POLL_MS = 500;
/** Streams written to before the event loop is let go: a batch to thousands of streams is sent in slices. */
const SLICE = 32;
/** How often each stream gets a comment, to keep proxies from timing it out and to find clients that stopped reading. */
const HEARTBEAT_MS = 20_000;

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The live side of the audit trail: each cloud instance hears that rows were committed (the
 * cluster bus, from any instance), reads them once, and sends each to the team's connected
 * clients that may see it, a slice of streams at a time. A client that reconnects with
 * `Last-Event-ID` is first sent what it missed. A session that ends or a member who changes loses
 * the stream (they reconnect with what they may see now); so does each whose caller no longer
 * stands when the listener comes back after a loss, before anything else is sent.
 */
@Injectable()
export class EventHub implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventHub.name);
  private readonly streams = new Set<EventStream>();
  /** Open streams per session (or API token), user and team, for the caps. */
  private readonly counts = new Map<string, number>();
  /** Ids already offered to the streams. */
  private readonly dispatched = new Set<number>();
  private newestSeen = 0;
  /** Set when the instance stops: no stream starts after. */
  private stopping = false;
  private queue: Promise<void> = Promise.resolve();
  private poller?: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly caps: { session: number; user: number; team: number; bufferBytes: number };

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly bus: ClusterBus,
    private readonly location: DatabaseLocation,
    private readonly loader: AuthLoader,
    config: CloudConfig,
  ) {
    this.caps = {
      session: config.env.EVENTS_STREAMS_PER_SESSION,
      user: config.env.EVENTS_STREAMS_PER_USER,
      team: config.env.EVENTS_STREAMS_PER_TEAM,
      bufferBytes: config.env.EVENTS_STREAM_BUFFER_BYTES,
    };
    bus.subscribe((event) => {
      // One range after another, in the order the commits were heard.
      if (event.kind === 'audit-appended') this.enqueue(() => this.dispatch(event.fromId, event.toId));
      else if (event.kind === 'session-ended') this.endWhere((auth) => auth.sessionId === event.sessionId);
      else if (event.kind === 'user-changed') this.endWhere((auth) => auth.userId === event.userId);
    });
    // Whatever was published while the listener was down never came: logouts and member changes
    // are found by loading each caller again, and the events committed meanwhile by reading them.
    bus.onResumed(() => this.enqueue(() => this.recheck()));
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Polls and catch-ups start from what exists now: older events are replays, not news. */
  async onApplicationBootstrap(): Promise<void> {
    this.newestSeen = await this.newestId();
  }

  /**
   * Before the HTTP server closes: it waits for every open answer, and a stream never ends by
   * itself (a stop with a console open would hang).
   */
  beforeApplicationShutdown(): void {
    this.stopping = true;
    clearInterval(this.poller);
    clearInterval(this.heartbeat);
    for (const stream of this.streams) stream.end();
  }

  /** Open streams on this instance. */
  get size(): number {
    return this.streams.size;
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
   * Starts the stream on `res`: every visible event after `after`, first those already committed
   * (read once), then live ones as they are heard, each once. Over a cap it throws before any
   * header is written. Synchronous from the check to the count, so two requests cannot both
   * take the last place.
   */
  open(auth: AuthContext, after: number, res: Response): void {
    // Gone while the start was read: 'close' came already and would never be heard.
    if (!res.socket || res.socket.destroyed) return;
    // A stopping instance lets the client go (it reconnects, to another instance behind a balancer).
    if (this.stopping) {
      res.socket.destroy();
      return;
    }
    if (answeredEventStreamHead(res)) return;
    const keys = this.keysOf(auth);
    const limits = [this.caps.session, this.caps.user, this.caps.team];
    const names = ['session', 'user', 'team'] as const;
    keys.forEach((key, i) => {
      if ((this.counts.get(key) ?? 0) >= limits[i]) throw new TooManyStreamsError(names[i], limits[i]);
    });
    for (const key of keys) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const stream = new EventStream(auth, after, res, this.caps.bufferBytes);
    this.streams.add(stream);
    stream.onGone(() => {
      this.streams.delete(stream);
      for (const key of keys) {
        const left = (this.counts.get(key) ?? 1) - 1;
        if (left > 0) this.counts.set(key, left);
        else this.counts.delete(key);
      }
    });
    this.startPolling();
    void this.replay(stream, after);
  }

  private keysOf(auth: AuthContext): [string, string, string] {
    const credential = auth.sessionId !== null ? `s:${auth.sessionId}` : `t:${auth.token?.id ?? auth.userId}`;
    return [credential, `u:${auth.userId}`, `t#${auth.teamId}`];
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((error: Error) => this.logger.warn(`event delivery failed: ${error.message}`));
  }

  /**
   * Sends what the stream missed, once its caller is confirmed: they were loaded before the stream
   * was counted here, and a member change (or sign-out) committed in between ended no stream of
   * theirs. Loaded again now, after the stream is counted, a later change ends it as it is heard.
   * Live rows are held until then, so nothing goes out under rights the caller lost.
   */
  private async replay(stream: EventStream, after: number): Promise<void> {
    const fresh = await this.loader.reloadUntil(stream.auth).catch(() => undefined);
    // A failed load proves nothing either way: the stream ends and its client comes back.
    if (!fresh || !sameCaller(stream.auth, fresh.auth)) {
      stream.end();
      return;
    }
    // Nor does it outlive its session or API token: a page left open does not go on hearing the team.
    stream.endAt(fresh.validUntil);
    try {
      const rows = await this.db.query<AuditRow[]>(`SELECT * FROM audit_events WHERE team_id = $1 AND id > $2 ORDER BY id LIMIT $3`, [
        stream.auth.teamId,
        after,
        REPLAY_MAX,
      ]);
      stream.replay(rows.map(outgoing));
    } catch (error) {
      this.logger.warn(`replay failed: ${(error as Error).message}`);
      stream.replay([]);
    }
  }

  private async dispatch(fromId: number, toId: number): Promise<void> {
    this.newestSeen = Math.max(this.newestSeen, toId);
    if (this.streams.size === 0) return;
    let rows: AuditRow[];
    try {
      rows = await this.db.query<AuditRow[]>(`SELECT * FROM audit_events WHERE id BETWEEN $1 AND $2 ORDER BY id`, [fromId, toId]);
    } catch (error) {
      this.logger.warn(`could not read audit events ${fromId}–${toId}: ${(error as Error).message}`);
      return;
    }
    // Overlapping notifications (a catch-up and a late one, say) offer each row once.
    const fresh = rows.filter((row) => this.remember(Number(row.id)));
    if (fresh.length === 0) return;
    const batch = batchOf(fresh.map(outgoing));
    let written = 0;
    for (const stream of [...this.streams]) {
      if (stream.closed || !batch.bytesByTeam.has(stream.auth.teamId)) continue;
      stream.deliver(batch);
      if (++written % SLICE === 0) await yieldToOthers();
    }
  }

  /**
   * After the listener was lost: each stream's caller is loaded again, bypassing every cache, and
   * the stream ends if it no longer stands or is no longer the same (as a member change ends it
   * when heard); then what was committed meanwhile is sent.
   */
  private async recheck(): Promise<void> {
    const top = await this.newestId();
    let checked = 0;
    for (const stream of [...this.streams]) {
      if (stream.closed) continue;
      const fresh = await this.loader.reload(stream.auth).catch(() => undefined);
      // A failed load proves nothing either way; the stream ends and its client comes back.
      if (!fresh || !sameCaller(stream.auth, fresh)) stream.end();
      if (++checked % SLICE === 0) await yieldToOthers();
    }
    if (top - this.newestSeen > CATCH_UP_MAX) {
      // Too much was missed to hold at once: each client resumes with Last-Event-ID instead.
      this.newestSeen = top;
      for (const stream of this.streams) stream.end();
    } else if (top > this.newestSeen) await this.dispatch(this.newestSeen + 1, top);
  }

  /** False for an id dispatched before. The newest `DISPATCHED_REMEMBERED` ids are kept. */
  private remember(id: number): boolean {
    if (this.dispatched.has(id)) return false;
    this.dispatched.add(id);
    if (this.dispatched.size > 2 * DISPATCHED_REMEMBERED) {
      let newest = 0;
      for (const kept of this.dispatched) newest = Math.max(newest, kept);
      const keepAbove = newest - DISPATCHED_REMEMBERED;
      for (const old of this.dispatched) if (old <= keepAbove) this.dispatched.delete(old);
    }
    return true;
  }

  private endWhere(matches: (auth: AuthContext) => boolean): void {
    for (const stream of this.streams) if (matches(stream.auth)) stream.end();
  }

  private beat(): void {
    for (const stream of this.streams) stream.heartbeat();
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
        this.enqueue(() => this.dispatch(from, top));
        await this.queue;
      }
    } catch (error) {
      this.logger.warn(`event poll failed: ${(error as Error).message}`);
    }
  }
}

function sameCaller(a: AuthContext, b: AuthContext): boolean {
  return (
    a.userId === b.userId &&
    a.teamId === b.teamId &&
    a.role === b.role &&
    a.scope === b.scope &&
    a.permissions.join() === b.permissions.join() &&
    a.groupIds.join() === b.groupIds.join()
  );
}
