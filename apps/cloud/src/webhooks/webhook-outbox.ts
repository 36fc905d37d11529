import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CloudConfig } from '../config/cloud-config';
import { JobEngine } from '../jobs/job-engine';
import { DELIVERY_QUEUE } from './webhook-sender';
import { WebhookStore } from './webhook-store';

/** Events a webhook may take. */
export const WEBHOOK_EVENTS = ['run.finished'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * Writes an event's deliveries in the transaction that makes it happen (a run's end): one outbox
 * row per subscribed endpoint and its delivery job, committed together or not at all.
 */
@Injectable()
export class WebhookOutbox {
  constructor(
    private readonly store: WebhookStore,
    private readonly jobs: JobEngine,
    private readonly config: CloudConfig,
  ) {}

  /** Once the transaction that enqueued deliveries committed: this instance sends them now rather than at its next poll. */
  sendNow(): void {
    this.jobs.wake(DELIVERY_QUEUE);
  }

  async enqueue(manager: EntityManager, teamId: number, event: WebhookEvent, data: Record<string, unknown>): Promise<void> {
    const hooks = await this.store.subscribed(manager, teamId, event);
    for (const hook of hooks) {
      const id = `msg_${randomUUID().replace(/-/g, '')}`;
      await this.store.addDelivery(manager, id, hook.id, event, { type: event, timestamp: new Date().toISOString(), data });
      const { WEBHOOK_RETRIES, WEBHOOK_RETRY_DELAY_SECONDS } = this.config.env;
      await this.jobs.send(
        DELIVERY_QUEUE,
        { deliveryId: id },
        { retryLimit: WEBHOOK_RETRIES, retryDelay: WEBHOOK_RETRY_DELAY_SECONDS, retryBackoff: true, expireInSeconds: 60 },
        manager,
      );
    }
  }
}
