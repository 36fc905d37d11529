import { Body, Controller, Headers, HttpCode, MessageEvent, Post, Sse } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Observable } from 'rxjs';
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

  /** Server-Sent Events: every audit event of the team the caller may see, as it commits. */
  @Sse('events')
  @Authenticated('Live events of the team (Server-Sent Events; resume with Last-Event-ID)')
  async events(@CurrentAuth() auth: AuthContext, @Headers('last-event-id') lastEventId?: string): Promise<Observable<MessageEvent>> {
    if (lastEventId !== undefined && !/^\d{1,18}$/.test(lastEventId)) throw new InvalidParamError('Last-Event-ID must be an event id');
    // The start is known before the headers go out: whatever commits after them is news.
    return this.hub.stream(auth, lastEventId === undefined ? await this.hub.newestId() : Number(lastEventId));
  }
}
