import { Controller, Get, Headers, Res } from '@nestjs/common';
import type { Response } from 'express';
import { InvalidParamError } from '@cos/contracts';
import { AgentEvents } from './agent-events';

@Controller()
export class EventsController {
  constructor(private readonly events: AgentEvents) {}

  /**
   * Server-Sent Events of this desktop's windows (local token); resume with Last-Event-ID. Written
   * by `AgentEvents` straight to the response, which bounds what waits for a slow client.
   */
  @Get('events')
  stream(@Res() res: Response, @Headers('last-event-id') lastEventId?: string): void {
    if (lastEventId !== undefined && !/^\d{1,15}$/.test(lastEventId)) throw new InvalidParamError('Last-Event-ID must be an event id');
    this.events.open(lastEventId === undefined ? null : Number(lastEventId), res);
  }
}
