import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Client, ClientConfig, Notification } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { pgClientConfig } from '../database/data-source';
import { DatabaseLocation } from '../database/database.module';

/** Something one instance changed that every instance must apply to what it keeps in memory. */
export type ClusterEvent =
  | { kind: 'session-ended'; sessionId: string }
  | { kind: 'user-changed'; userId: number }
  /** Audit rows with ids in this range were committed. */
  | { kind: 'audit-appended'; fromId: number; toId: number }
  /** A command for this device was queued: the instance holding its line sends it. */
  | { kind: 'device-command'; deviceId: string }
  /** A device command was answered (or lost): the instance waiting on it reads the answer. */
  | { kind: 'device-answer'; commandId: string };

interface Envelope {
  id: string;
  event: ClusterEvent;
}

const CHANNEL = 'cos_cluster';
/** How the listening connection shows in pg_stat_activity. */
export const LISTENER_NAME = 'cos-cluster-listener';
/** How long a publisher waits for its own notification to come back before answering anyway. */
const ECHO_WAIT_MS = 2_000;
const MAX_RECONNECT_MS = 30_000;

/**
 * Tells every cloud instance on the same PostgreSQL what changed, through LISTEN/NOTIFY. Each
 * instance keeps one listening connection; `publish` sends through the pool and resolves once the
 * notification has come back to this instance's own listener, i.e. PostgreSQL has handed it to
 * every listener. While the listener is down, `live` is false and in-memory caches must not be
 * trusted. The embedded database serves one instance and one connection: there is no one to tell.
 */
@Injectable()
export class ClusterBus implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ClusterBus.name);
  private readonly handlers: ((event: ClusterEvent) => void)[] = [];
  private readonly resumeHandlers: (() => void)[] = [];
  private readonly echoes = new Map<string, () => void>();
  private listener: Client | null = null;
  private connected = false;
  private stopped = false;
  private failures = 0;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly location: DatabaseLocation,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** True when every change another instance makes reaches this one (or there is no other). */
  get live(): boolean {
    return this.location.mode === 'embedded' || this.connected;
  }

  subscribe(handler: (event: ClusterEvent) => void): void {
    this.handlers.push(handler);
  }

  /**
   * Called each time the listener is back after a loss: whatever was published meanwhile never
   * reached this instance, so what it keeps from before must be checked again.
   */
  onResumed(handler: () => void): void {
    this.resumeHandlers.push(handler);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.location.mode === 'postgres') await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.listener;
    this.listener = null;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  /** Applies the event here at once, and on every other instance before resolving. */
  async publish(event: ClusterEvent): Promise<void> {
    this.deliver(event);
    if (this.location.mode === 'embedded') return;
    const id = randomUUID();
    const echoed = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.echoes.delete(id);
        resolve();
      }, ECHO_WAIT_MS);
      timer.unref();
      this.echoes.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await this.db.query(`SELECT pg_notify($1, $2)`, [CHANNEL, JSON.stringify({ id, event } satisfies Envelope)]);
    if (this.connected) await echoed;
    else this.echoes.delete(id);
  }

  /**
   * Sends the event when the caller's transaction commits (NOTIFY is transactional), to every
   * instance including this one; nothing is sent if it rolls back. The embedded database has no
   * listener: its one instance learns of such changes by looking (the event hub polls).
   */
  async notifyOnCommit(manager: EntityManager, event: ClusterEvent): Promise<void> {
    if (this.location.mode === 'embedded') return;
    await manager.query(`SELECT pg_notify($1, $2)`, [CHANNEL, JSON.stringify({ id: randomUUID(), event } satisfies Envelope)]);
  }

  /**
   * One listening connection at a time: the client is current from its creation, so events of
   * any other (an older one's late 'end', say) are ignored, and a reconnect is scheduled once
   * per loss however many of 'error' and 'end' the lost client emits.
   */
  private async listen(): Promise<void> {
    this.retry = undefined;
    if (this.stopped) return;
    const client = new Client(this.clientConfig());
    this.listener = client;
    client.on('notification', (message) => this.received(message));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.listener !== client || this.stopped) {
      // Lost or shut down while connecting: this client is no one's.
      await client.end().catch(() => undefined);
      return;
    }
    const resumed = this.failures > 0;
    this.connected = true;
    this.failures = 0;
    if (resumed) {
      this.logger.log('cluster listener back');
      for (const handler of this.resumeHandlers) handler();
    }
  }

  private lost(client: Client, error: Error): void {
    if (this.listener !== client) return;
    const wasConnected = this.connected;
    this.connected = false;
    this.listener = null;
    client.removeAllListeners('notification');
    // Emitted errors after this one must not go unhandled; they change nothing.
    client.on('error', () => undefined);
    client.end().catch(() => undefined);
    if (this.stopped) return;
    if (wasConnected) this.logger.warn(`cluster listener lost (${error.message}); caches are bypassed until it is back`);
    this.failures += 1;
    if (this.retry) return;
    this.retry = setTimeout(() => void this.listen(), Math.min(MAX_RECONNECT_MS, 500 * 2 ** (this.failures - 1)));
    this.retry.unref();
  }

  private received(message: Notification): void {
    if (message.channel !== CHANNEL || !message.payload) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message.payload) as Envelope;
    } catch {
      return;
    }
    const echo = this.echoes.get(envelope.id);
    if (echo) {
      // Our own: already applied here when it was published.
      this.echoes.delete(envelope.id);
      echo();
      return;
    }
    this.deliver(envelope.event);
  }

  private deliver(event: ClusterEvent): void {
    for (const handler of this.handlers) handler(event);
  }

  private clientConfig(): ClientConfig {
    return pgClientConfig(this.location.target, LISTENER_NAME);
  }
}
