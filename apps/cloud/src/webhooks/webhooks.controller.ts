import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, RequirePermission } from '../access/auth.decorators';
import { CreateWebhookDto, DeliveriesDto, RotateWebhookDto, UpdateWebhookDto, WebhookIdDto, WebhookSettingsDto } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhook')
@Controller('webhook')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('create')
  @HttpCode(200)
  @RequirePermission('webhook:manage', 'Add an endpoint; its signing secret is answered this once')
  async create(@CurrentAuth() auth: AuthContext, @Body() dto: CreateWebhookDto) {
    return ok(await this.webhooks.create(auth, dto));
  }

  @Post('list')
  @HttpCode(200)
  @RequirePermission('webhook:manage', "The team's endpoints (never their secrets) and whether private addresses are allowed")
  async list(@CurrentAuth() auth: AuthContext) {
    return ok(await this.webhooks.list(auth));
  }

  @Post('update')
  @HttpCode(200)
  @RequirePermission('webhook:manage', 'Change an endpoint, or enable or disable it')
  async update(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateWebhookDto) {
    return ok(await this.webhooks.update(auth, dto));
  }

  @Post('rotate')
  @HttpCode(200)
  @RequirePermission('webhook:manage', 'A new signing secret (answered once); the old one signs beside it for keepSeconds')
  async rotate(@CurrentAuth() auth: AuthContext, @Body() dto: RotateWebhookDto) {
    return ok(await this.webhooks.rotate(auth, dto));
  }

  @Post('delete')
  @HttpCode(200)
  @RequirePermission('webhook:manage', 'Delete an endpoint and its deliveries')
  async delete(@CurrentAuth() auth: AuthContext, @Body() dto: WebhookIdDto) {
    await this.webhooks.delete(auth, dto.id);
    return ok();
  }

  @Post('deliveries')
  @HttpCode(200)
  @RequirePermission('webhook:manage', "An endpoint's last deliveries with their attempts and answers")
  async deliveries(@CurrentAuth() auth: AuthContext, @Body() dto: DeliveriesDto) {
    return ok(await this.webhooks.deliveries(auth, dto));
  }

  @Post('settings')
  @HttpCode(200)
  @RequirePermission('team:manage', 'Whether webhooks may deliver to private addresses')
  async settings(@CurrentAuth() auth: AuthContext, @Body() dto: WebhookSettingsDto) {
    return ok(await this.webhooks.settings(auth, dto.allowPrivateAddresses));
  }
}
