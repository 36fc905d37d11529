import { Injectable, MessageEvent, OnApplicationShutdown } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';

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

/**
 * What happens to this desktop's windows, as it happens: `GET /events` on the Local API. Events
 * are numbered from the agent's start; the last thousand are kept for clients that reconnect
 * with `Last-Event-ID` (an id from before a restart is answered from the start of the new run).
 */
@Injectable()
export class AgentEvents implements OnApplicationShutdown {
  private readonly live = new Subject<AgentEvent>();
  private readonly kept: AgentEvent[] = [];
  private nextId = 1;

  emit(kind: AgentEventKind, uuid: string, data: Record<string, unknown> = {}): void {
    const event: AgentEvent = { id: this.nextId++, kind, uuid, at: new Date().toISOString(), data };
    this.kept.push(event);
    if (this.kept.length > KEPT) this.kept.shift();
    this.live.next(event);
  }

  stream(lastEventId: number | null): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      const send = (event: AgentEvent) => subscriber.next({ id: String(event.id), type: event.kind, data: event });
      // Replayed and live in one go: nothing is emitted between these two lines.
      if (lastEventId !== null) for (const event of this.kept) if (event.id > lastEventId || lastEventId >= this.nextId) send(event);
      const subscription = this.live.subscribe(send);
      return () => subscription.unsubscribe();
    });
  }

  onApplicationShutdown(): void {
    this.live.complete();
  }
}
