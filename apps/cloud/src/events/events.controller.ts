import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { InvalidParamError } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { DocumentSignedIn, CurrentAuth } from '../access/auth.decorators';
import { EventHub } from './event-hub';

@ApiTags('audit')
@Controller()
export class EventsController {
  constructor(private readonly hub: EventHub) {}

  /**
   * Server-Sent Events: every audit event of the team the caller may see, as it commits. Written
   * by the hub straight to the response, which bounds what waits for a slow client.
   */
  @Get('events')
  @ApiProduces('text/event-stream')
  @DocumentSignedIn(
    'Live events of the team (Server-Sent Events; resume with Last-Event-ID); 429 over the streams a session, user or team may hold',
  )
  async events(@CurrentAuth() auth: AuthContext, @Res() res: Response, @Headers('last-event-id') lastEventId?: string): Promise<void> {
    if (lastEventId !== undefined && !/^\d{1,18}$/.test(lastEventId)) throw new InvalidParamError('Last-Event-ID must be an event id');
    // The start is known before the headers go out: whatever commits after them is news.
    this.hub.open(auth, lastEventId === undefined ? await this.hub.newestId() : Number(lastEventId), res);
  }
}
