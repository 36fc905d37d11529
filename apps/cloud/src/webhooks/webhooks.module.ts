import { Module } from '@nestjs/common';
import { WebhookOutbox } from './webhook-outbox';
import { WebhookSender } from './webhook-sender';
import { WebhookStore } from './webhook-store';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Signed webhooks on run completion, from a durable outbox through the job engine. */
@Module({
  controllers: [WebhooksController],
  providers: [WebhookStore, WebhookOutbox, WebhookSender, WebhooksService],
  exports: [WebhookOutbox],
})
export class WebhooksModule {}
