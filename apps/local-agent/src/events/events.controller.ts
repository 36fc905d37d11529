import { Controller, Headers, MessageEvent, Sse } from '@nestjs/common';
import { Observable } from 'rxjs';
import { InvalidParamError } from '@cos/contracts';
import { AgentEvents } from './agent-events';

@Controller()
export class EventsController {
  constructor(private readonly events: AgentEvents) {}

  /** Server-Sent Events of this desktop's windows (local token); resume with Last-Event-ID. */
  @Sse('events')
  stream(@Headers('last-event-id') lastEventId?: string): Observable<MessageEvent> {
    if (lastEventId !== undefined && !/^\d{1,15}$/.test(lastEventId)) throw new InvalidParamError('Last-Event-ID must be an event id');
    return this.events.stream(lastEventId === undefined ? null : Number(lastEventId));
  }
}
