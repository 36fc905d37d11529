import { Body, Controller, Get, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { InvalidParamError, ok } from '@cos/contracts';
import { AuthContext } from '../auth/auth-context';
import { Authenticated, CurrentAuth, RequirePermission } from '../auth/auth.decorators';
import { AuditService } from './audit.service';
import { ListAuditDto } from './dto/audit.dto';
import { EventHub } from './event-hub';

@ApiTags('audit')
@Controller()
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly hub: EventHub,
  ) {}

  @Post('audit/list')
  @HttpCode(200)
  @RequirePermission('team:manage', "The team's audit trail, newest first; filters by window, actor, kind and time")
  async list(@CurrentAuth() auth: AuthContext, @Body() dto: ListAuditDto) {
    return ok(await this.audit.list(auth, dto));
  }

  /**
   * Server-Sent Events: every audit event of the team the caller may see, as it commits. Written
   * by the hub straight to the response, which bounds what waits for a slow client.
   */
  @Get('events')
  @ApiProduces('text/event-stream')
  @Authenticated(
    'Live events of the team (Server-Sent Events; resume with Last-Event-ID); 429 over the streams a session, user or team may hold',
  )
  async events(@CurrentAuth() auth: AuthContext, @Res() res: Response, @Headers('last-event-id') lastEventId?: string): Promise<void> {
    if (lastEventId !== undefined && !/^\d{1,18}$/.test(lastEventId)) throw new InvalidParamError('Last-Event-ID must be an event id');
    // The start is known before the headers go out: whatever commits after them is news.
    this.hub.open(auth, lastEventId === undefined ? await this.hub.newestId() : Number(lastEventId), res);
  }
}
