import { Injectable, Logger } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { CloudConfig } from '../config/cloud-config';
import { SecretBox } from '../crypto/secret-box';
import { JobEngine } from '../jobs/job-engine';
import { guardedLookup, refusedAddress } from './address-guard';
import { DeliveryRow, WebhookRow, WebhookStore } from './webhook-store';

export const DELIVERY_QUEUE = 'webhook-delivery';
/** Deliveries one instance makes at once: an endpoint that never answers holds one of them for its timeout, not every team's. */
const DELIVERY_WORKERS = 8;
/** What of an endpoint's answer is kept for the console. */
const ANSWER_KEPT = 1000;

interface Answer {
  status: number | null;
  body: string;
  error: string | null;
}

/**
 * Delivers one outbox row per job: signed by the Standard Webhooks scheme (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 with the endpoint's secret, and with the
 * one a rotation replaced while it overlaps), POSTed with no redirect followed, within the timeout,
 * to an address checked as the socket connects. 2xx is delivered; 410 disables the endpoint; any
 * other answer (a redirect included) is retried by the job engine with backoff until its last try.
 */
@Injectable()
export class WebhookSender {
  private readonly logger = new Logger(WebhookSender.name);

  constructor(
    private readonly store: WebhookStore,
    private readonly box: SecretBox,
    private readonly config: CloudConfig,
    jobs: JobEngine,
  ) {
    const { WEBHOOK_RETRIES, WEBHOOK_RETRY_DELAY_SECONDS } = config.env;
    jobs.define(
      DELIVERY_QUEUE,
      { retryLimit: WEBHOOK_RETRIES, retryDelay: WEBHOOK_RETRY_DELAY_SECONDS, retryBackoff: true },
      config.env.JOB_POLL_SECONDS,
      DELIVERY_WORKERS,
      async (job) => this.deliver(String(job.data.deliveryId), job.retryCount >= job.retryLimit),
    );
  }

  async deliver(deliveryId: string, lastTry: boolean): Promise<void> {
    const pending = await this.store.pending(deliveryId);
    if (!pending) return;
    const { delivery, hook, allowPrivate } = pending;
    if (!hook.enabled) {
      await this.store.attempted(delivery.id, {
        status: 'failed',
        lastStatus: null,
        lastAnswer: null,
        lastError: 'the endpoint is disabled',
      });
      return;
    }
    const answer = await this.post(hook, delivery, allowPrivate);
    const kept = { lastStatus: answer.status, lastAnswer: answer.body, lastError: answer.error };
    if (answer.status !== null && answer.status >= 200 && answer.status < 300) {
      await this.store.attempted(delivery.id, { status: 'delivered', ...kept });
      return;
    }
    if (answer.status === 410) {
      await this.store.attempted(delivery.id, { status: 'gone', ...kept });
      await this.store.disable(hook.id, 'the endpoint answered 410 Gone');
      return;
    }
    await this.store.attempted(delivery.id, { status: lastTry ? 'failed' : 'pending', ...kept });
    if (!lastTry) throw new Error(`webhook ${hook.id} delivery ${delivery.id}: ${answer.error ?? `HTTP ${answer.status}`}`);
  }

  /** The signed headers: one signature per secret that signs now. */
  headers(hook: WebhookRow, delivery: DeliveryRow, body: string, at: Date): Record<string, string> {
    const secrets = [
      hook.secret,
      ...(hook.previousSecret && hook.previousUntil && Date.parse(String(hook.previousUntil)) > at.getTime() ? [hook.previousSecret] : []),
    ];
    const signatures = secrets.map((sealed) => new Webhook(this.box.open(sealed)).sign(delivery.id, at, body));
    return {
      'content-type': 'application/json',
      'user-agent': 'cos-webhooks/1',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signatures.join(' '),
    };
  }

  private post(hook: WebhookRow, delivery: DeliveryRow, allowPrivate: boolean): Promise<Answer> {
    const body = JSON.stringify(delivery.payload);
    const url = new URL(hook.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const refused = refusedAddress(host, allowPrivate);
      if (refused) return Promise.resolve({ status: null, body: '', error: `refused: ${refused}` });
    }
    const timeoutMs = this.config.env.WEBHOOK_TIMEOUT_MS;
    return new Promise<Answer>((resolve) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method: 'POST',
        headers: { ...this.headers(hook, delivery, body, new Date()), 'content-length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup(allowPrivate),
        agent: false,
      });
      // One deadline for the whole exchange: connecting, the answer's head and its body.
      const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('close', () => clearTimeout(deadline));
      req.on('error', (error) => resolve({ status: null, body: '', error: error.message.slice(0, 500) }));
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.length > ANSWER_KEPT) res.destroy();
        });
        const done = () => {
          const status = res.statusCode ?? null;
          const redirect = status !== null && status >= 300 && status < 400;
          resolve({
            status,
            body: text.slice(0, ANSWER_KEPT),
            error: redirect ? `redirect not followed (to ${String(res.headers.location ?? '?').slice(0, 200)})` : null,
          });
        };
        res.on('end', done);
        res.on('close', done);
      });
      req.end(body);
    }).catch((error: Error) => {
      this.logger.warn(`webhook ${hook.id}: ${error.message}`);
      return { status: null, body: '', error: error.message };
    });
  }
}
