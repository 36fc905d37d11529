import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, RequirePermission } from '../access/auth.decorators';
import { AuditService } from './audit.service';
import { ListAuditDto } from './dto/audit.dto';

@ApiTags('audit')
@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Post('audit/list')
  @HttpCode(200)
  @RequirePermission(
    'team:manage',
    "The team's audit trail, newest first; filters by window, actor, kind and time. Each event names its actor (actorEmail, null for the cloud's own jobs) its window (windowName, null once the window is deleted for good) and its device (deviceName, the hostname it registered with) beside their ids",
  )
  async list(@CurrentAuth() auth: AuthContext, @Body() dto: ListAuditDto) {
    return ok(await this.audit.list(auth, dto));
  }
}
