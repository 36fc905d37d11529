import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import PgBoss from 'pg-boss';
import { DataSource, EntityManager } from 'typeorm';

type Db = { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount?: number }> };
type Handler = (job: { id: string; data: Record<string, unknown>; retryCount: number; retryLimit: number }) => Promise<void>;

/**
 * pg-boss (10.x: it runs on Node 20) as the cloud's job engine, speaking through the cloud's own
 * database connections: on the embedded database that is its one session, so the engine's
 * statements queue behind the cloud's instead of interleaving on a second client. A job sent with
 * `manager` commits or rolls back with the caller's transaction (an outbox row and its job go
 * together). Its own cron is off: schedules are the cloud's.
 */
@Injectable()
export class JobEngine implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobEngine.name);
  private readonly boss: PgBoss;
  private readonly queues: { name: string; options: PgBoss.Queue; handler: Handler; pollSeconds: number; workers: number }[] = [];
  private started: Promise<void> | null = null;
  private readonly workers = new Map<string, string[]>();

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.boss = new PgBoss({
      db: this.adapter(),
      schema: 'pgboss',
      schedule: false,
      supervise: true,
      migrate: true,
    });
    this.boss.on('error', (error: Error) => this.logger.warn(`job engine: ${error.message}`));
  }

  /** A queue and its workers (each takes one job at a time: a slow job holds one of them, not the queue), started with the engine. */
  define(name: string, options: Omit<PgBoss.Queue, 'name'>, pollSeconds: number, workers: number, handler: Handler): void {
    this.queues.push({ name, options: { name, ...options }, handler, pollSeconds, workers });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.started = (async () => {
      await this.boss.start();
      for (const queue of this.queues) {
        if (!(await this.boss.getQueue(queue.name))) await this.boss.createQueue(queue.name, queue.options).catch(() => undefined);
        const ids: string[] = [];
        for (let i = 0; i < queue.workers; i++)
          ids.push(
            await this.boss.work(
              queue.name,
              { batchSize: 1, pollingIntervalSeconds: queue.pollSeconds, includeMetadata: true },
              async ([job]) => queue.handler(job as unknown as Parameters<Handler>[0]),
            ),
          );
        this.workers.set(queue.name, ids);
      }
    })();
    await this.started;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.started?.catch(() => undefined);
    await this.boss.stop({ graceful: true, wait: true, timeout: 5_000 }).catch(() => undefined);
  }

  /** Wakes this instance's workers of `name` (jobs just committed), instead of its next poll. */
  wake(name: string): void {
    for (const worker of this.workers.get(name) ?? []) this.boss.notifyWorker(worker);
  }

  /** Queues a job, in `manager`'s transaction when given. */
  async send(name: string, data: object, options: PgBoss.SendOptions, manager?: EntityManager): Promise<void> {
    await this.boss.send(name, data, { ...options, ...(manager ? { db: this.adapter(manager) } : {}) });
  }

  private adapter(manager?: EntityManager): Db {
    return {
      executeSql: async (text, values) => {
        const runner = manager?.queryRunner ?? this.db.createQueryRunner();
        try {
          const result = await runner.query(text, values ?? [], true);
          return { rows: (result.records as unknown[] | undefined) ?? [], rowCount: result.affected };
        } finally {
          if (!manager?.queryRunner) await runner.release();
        }
      },
    };
  }
}
