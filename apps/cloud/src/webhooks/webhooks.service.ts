import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConflictError, ForbiddenError, InvalidParamError, NotFoundError } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { AuditLog } from '../audit/audit-log';
import { SecretBox } from '../crypto/secret-box';
import { CreateWebhookDto, DeliveriesDto, RotateWebhookDto, UpdateWebhookDto } from './dto/webhook.dto';
import { DeliveryRow, WebhookRow, WebhookStore } from './webhook-store';

const WEBHOOKS_MAX = 20;

/** An endpoint address: http(s), no credentials in it (they would be stored and logged as the address). */
function endpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidParamError('url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidParamError('url must be an http(s) URL');
  if (url.username || url.password) throw new InvalidParamError('url must not hold a user name or password');
  return url.toString();
}

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** A team's webhook endpoints: kept with their secrets sealed (each shown once), rotated with an overlap, and their last deliveries. */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: WebhookStore,
    private readonly box: SecretBox,
    private readonly audit: AuditLog,
  ) {}

  async create(auth: AuthContext, dto: CreateWebhookDto) {
    const url = endpoint(dto.url);
    if ((await this.store.count(auth.teamId)) >= WEBHOOKS_MAX) throw new ConflictError(`A team keeps at most ${WEBHOOKS_MAX} webhooks`);
    const secret = newSecret();
    const hook = await this.store.insert(
      auth.teamId,
      auth.userId,
      url,
      [...new Set(dto.events ?? ['run.finished'])],
      this.box.seal(secret),
    );
    await this.record(auth, 'webhook.changed', hook.id);
    return { ...view(hook), secret };
  }

  async list(auth: AuthContext) {
    return { list: (await this.store.list(auth.teamId)).map(view), allowPrivateAddresses: await this.store.allowPrivate(auth.teamId) };
  }

  async update(auth: AuthContext, dto: UpdateWebhookDto) {
    const hook = await this.store.update(auth.teamId, dto.id, {
      url: dto.url === undefined ? undefined : endpoint(dto.url),
      events: dto.events && [...new Set(dto.events)],
      enabled: dto.enabled,
    });
    if (!hook) throw new NotFoundError(`Webhook ${dto.id} not found`);
    await this.record(auth, 'webhook.changed', hook.id);
    return view(hook);
  }

  async rotate(auth: AuthContext, dto: RotateWebhookDto) {
    const secret = newSecret();
    const hook = await this.store.rotate(auth.teamId, dto.id, this.box.seal(secret), dto.keepSeconds ?? 86_400);
    if (!hook) throw new NotFoundError(`Webhook ${dto.id} not found`);
    await this.record(auth, 'webhook.changed', hook.id);
    return { ...view(hook), secret };
  }

  async delete(auth: AuthContext, id: number): Promise<void> {
    if (!(await this.store.delete(auth.teamId, id))) throw new NotFoundError(`Webhook ${id} not found`);
    await this.record(auth, 'webhook.deleted', id);
  }

  async deliveries(auth: AuthContext, dto: DeliveriesDto) {
    if (!(await this.store.find(auth.teamId, dto.id))) throw new NotFoundError(`Webhook ${dto.id} not found`);
    return { list: (await this.store.deliveries(dto.id, dto.pageSize ?? 20)).map(deliveryView) };
  }

  async settings(auth: AuthContext, allowPrivateAddresses: boolean) {
    if (!auth.holds('team:manage'))
      throw new ForbiddenError('Permission denied: team:manage required to change where webhooks may deliver');
    await this.store.setAllowPrivate(auth.teamId, allowPrivateAddresses);
    await this.record(auth, 'webhook.changed', null);
    return { allowPrivateAddresses };
  }

  private record(auth: AuthContext, kind: 'webhook.changed' | 'webhook.deleted', webhookId: number | null): Promise<void> {
    return this.db.transaction((manager) =>
      this.audit.record(manager, { teamId: auth.teamId, actorId: auth.userId, kind, data: { webhookId } }),
    );
  }
}

function view(hook: WebhookRow) {
  return {
    id: hook.id,
    url: hook.url,
    events: hook.events,
    enabled: hook.enabled,
    disabledReason: hook.disabledReason,
    previousSecretUntil: hook.previousUntil && new Date(hook.previousUntil).toISOString(),
    createdAt: new Date(hook.createdAt).toISOString(),
  };
}

function deliveryView(d: DeliveryRow) {
  return { ...d, createdAt: new Date(d.createdAt).toISOString(), finishedAt: d.finishedAt && new Date(d.finishedAt).toISOString() };
}
