import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Response } from 'express';
import { Observable, Subject } from 'rxjs';
import { TooManyStreamsError } from '@cos/contracts';
import { answeredEventStreamHead } from '@cos/server-common';
import { AgentConfig } from '../config/agent-config';
import { AgentEventStream, FramedEvent } from './agent-event-stream';

export type AgentEventKind =
  | 'window.opened'
  /** Firefox ended without a close being asked for: closed by hand, or crashed. */
  | 'firefox.exited'
  | 'window.closed'
  /** The close's report reached the cloud. */
  | 'sync.done'
  /** The cloud did not take the report now; it waits in the outbox and is retried. */
  | 'sync.pending'
  /** The cloud refused the report for good (window deleted, held by another device). */
  | 'sync.refused'
  /** The window's profile zip could not be restored; the zip was kept aside. */
  | 'profile.restore_failed'
  /** A one-time window was deleted for good, in the cloud and on this device, after its close. */
  | 'window.disposed';

export interface AgentEvent {
  id: number;
  kind: AgentEventKind;
  uuid: string;
  at: string;
  data: Record<string, unknown>;
}

/** Events a client that comes back with Last-Event-ID may be sent again. */
const KEPT = 1_000;
/** How often each stream gets a comment, to find clients that left. */
const HEARTBEAT_MS = 20_000;

/**
 * What happens to this desktop's windows, as it happens: `GET /events` on the Local API. Events
 * are numbered from the agent's start; the last thousand are kept for clients that reconnect
 * with `Last-Event-ID` (an id from before a restart is answered from the start of the new run).
 * Each event is serialized once for every stream; streams are capped (`AGENT_EVENTS_STREAMS_MAX`)
 * and a client that does not read is cut past `AGENT_EVENTS_STREAM_BUFFER_BYTES` waiting for it.
 */
@Injectable()
export class AgentEvents implements OnApplicationShutdown {
  private readonly live = new Subject<AgentEvent>();
  private readonly kept: FramedEvent[] = [];
  private readonly streams = new Set<AgentEventStream>();
  private readonly heartbeat: NodeJS.Timeout;
  private nextId = 1;

  constructor(private readonly config: AgentConfig) {
    this.heartbeat = setInterval(() => this.streams.forEach((stream) => stream.heartbeat()), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  emit(kind: AgentEventKind, uuid: string, data: Record<string, unknown> = {}): void {
    const event: AgentEvent = { id: this.nextId++, kind, uuid, at: new Date().toISOString(), data };
    const framed = { id: event.id, frame: `id: ${event.id}\nevent: ${kind}\ndata: ${JSON.stringify(event)}\n\n` };
    this.kept.push(framed);
    if (this.kept.length > KEPT) this.kept.shift();
    for (const stream of this.streams) stream.send([framed]);
    this.live.next(event);
  }

  /** For the agent's own listeners (inspection): every event from now on. */
  emitted(): Observable<AgentEvent> {
    return this.live.asObservable();
  }

  /** Open `GET /events` streams. */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Starts a stream on `res`: the kept events after `lastEventId` first (none for a fresh
   * client), then each event as it is emitted. Over the cap it throws before any header is
   * written; synchronous from the check to the count, so two requests cannot both take the last place.
   */
  open(lastEventId: number | null, res: Response): void {
    // Gone while the request was checked: 'close' came already and would never be heard.
    if (!res.socket || res.socket.destroyed) return;
    if (answeredEventStreamHead(res)) return;
    const max = this.config.env.AGENT_EVENTS_STREAMS_MAX;
    if (this.streams.size >= max) throw new TooManyStreamsError('agent', max);
    // An id this run has not reached yet is from before a restart: the client is sent the whole run.
    const after = lastEventId === null ? this.nextId - 1 : lastEventId >= this.nextId ? 0 : lastEventId;
    const stream = new AgentEventStream(res, after, this.config.env.AGENT_EVENTS_STREAM_BUFFER_BYTES);
    this.streams.add(stream);
    stream.onGone(() => this.streams.delete(stream));
    stream.send(this.kept.filter((event) => event.id > after));
  }

  /**
   * Ends every stream (after the windows' closes were told): the HTTP server closes only once its
   * connections have, so a stream left open would keep a stopping agent running.
   */
  endStreams(): void {
    for (const stream of this.streams) stream.end();
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    this.endStreams();
    this.live.complete();
  }
}
