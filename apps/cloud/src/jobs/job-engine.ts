import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import PgBoss from 'pg-boss';
import { DataSource, EntityManager } from 'typeorm';

type Db = { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount?: number }> };
type Handler = (job: { id: string; data: Record<string, unknown>; retryCount: number; retryLimit: number }) => Promise<void>;
interface QueueSpec {
  name: string;
  options: PgBoss.Queue;
  handler: Handler;
  pollSeconds: number;
  workers: number;
}

/**
 * One queue's jobs on this instance: one fetch per poll (or wake) for as many jobs as there is room
 * for, each handled on its own and completed or failed by itself (pg-boss retries a failed one).
 * One fetch, not one per worker: an idle instance holds no more connections for it than one.
 */
class Poller {
  private running = 0;
  private fetching = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly boss: PgBoss,
    private readonly queue: QueueSpec,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.poll(), this.queue.pollSeconds * 1000);
    this.timer.unref();
    this.poll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
  }

  poll(): void {
    if (this.stopped || this.fetching || this.running >= this.queue.workers) return;
    this.fetching = true;
    void this.boss
      .fetch(this.queue.name, { batchSize: this.queue.workers - this.running, includeMetadata: true })
      .then((jobs) => {
        for (const job of jobs ?? []) this.handle(job as unknown as Parameters<Handler>[0]);
      })
      .catch((error: Error) => this.logger.warn(`job engine: ${this.queue.name} not fetched (${error.message})`))
      .finally(() => (this.fetching = false));
  }

  private handle(job: Parameters<Handler>[0]): void {
    this.running += 1;
    const work = this.queue
      .handler(job)
      .then(
        () => this.boss.complete(this.queue.name, job.id),
        (error: Error) => this.boss.fail(this.queue.name, job.id, { message: error.message.slice(0, 500) }),
      )
      .catch((error: Error) => this.logger.warn(`job engine: ${this.queue.name} job ${job.id} not recorded (${error.message})`))
      .finally(() => {
        this.running -= 1;
        this.inFlight.delete(work);
        // Room again: the next job need not wait for the poll.
        this.poll();
      });
    this.inFlight.add(work);
  }
}

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
  private boss: PgBoss;
  private readonly queues: QueueSpec[] = [];
  private started: Promise<void> | null = null;
  private readonly pollers = new Map<string, Poller>();

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.boss = this.newBoss();
  }

  /** A queue and how many of its jobs this instance handles at once (a slow job holds one of them, not the queue), polled from start. */
  define(name: string, options: Omit<PgBoss.Queue, 'name'>, pollSeconds: number, workers: number, handler: Handler): void {
    this.queues.push({ name, options: { name, ...options }, handler, pollSeconds, workers });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.started = (async () => {
      // Instances starting together on a fresh database race to install the engine's schema: the
      // loser tries again (a new engine: a failed start cannot be started again) and finds it installed.
      for (let attempt = 1; ; attempt++) {
        try {
          await this.boss.start();
          break;
        } catch (error) {
          if (attempt >= 5) throw error;
          this.logger.warn(`job engine not started (${(error as Error).message}); trying again`);
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
          this.boss = this.newBoss();
        }
      }
      for (const queue of this.queues) {
        if (!(await this.boss.getQueue(queue.name))) await this.boss.createQueue(queue.name, queue.options).catch(() => undefined);
        const poller = new Poller(this.boss, queue, this.logger);
        this.pollers.set(queue.name, poller);
        poller.start();
      }
    })();
    await this.started;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.started?.catch(() => undefined);
    await Promise.all([...this.pollers.values()].map((poller) => poller.stop()));
    await this.boss.stop({ graceful: false, wait: true, timeout: 5_000 }).catch(() => undefined);
  }

  private newBoss(): PgBoss {
    const boss = new PgBoss({
      db: this.adapter(),
      schema: 'pgboss',
      schedule: false,
      supervise: true,
      migrate: true,
    });
    boss.on('error', (error: Error) => this.logger.warn(`job engine: ${error.message}`));
    return boss;
  }

  /** Takes `name`'s jobs now (they just committed), instead of at the next poll. */
  wake(name: string): void {
    this.pollers.get(name)?.poll();
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
        } catch (error) {
          // A failed statement list that opened a transaction (the engine's install) leaves it open:
          // the pooled connection goes back clean.
          if (!manager?.queryRunner) await runner.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          if (!manager?.queryRunner) await runner.release();
        }
      },
    };
  }
}
