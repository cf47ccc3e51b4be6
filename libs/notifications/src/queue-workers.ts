import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DelayedError, Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { checkJobHandlers, JobHandlers, jobHandlers } from './job-handlers';
import {
  DELIVERY_QUEUES,
  DeliveryQueue,
  isMaintenanceJob,
  MAINTENANCE_JOB_OPTIONS,
  MaintenanceJob,
  MailTemplate,
  OutboxJobData,
  outboxBackoff,
  QueueName,
  SmsTemplate,
  WORKER_LOCK_MS,
  WORKER_MAX_STALLED,
  WORKER_STALLED_INTERVAL_MS,
} from './jobs';
import { LicenseNoticesService } from './license-notices.service';
import { MaintenanceService } from './maintenance.service';
import { OutboxProcessor, PermanentDeliveryError, ProcessResult, RowBusyError } from './outbox.processor';
import { PING_EVENT, WEBHOOK_EVENT_TYPES } from './partner-events';
import { bullPrefix, RedisClient, redisConnection } from './redis';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JOB_NAMES: Record<DeliveryQueue, Set<string>> = {
  [QueueName.Mail]: new Set(Object.values(MailTemplate)),
  [QueueName.Sms]: new Set(Object.values(SmsTemplate)),
  [QueueName.Webhook]: new Set<string>([...WEBHOOK_EVENT_TYPES, PING_EVENT]),
};
/** The job scheduler of the license expiry scan: a fixed id, shared by every worker. */
export const LICENSE_SCAN_SCHEDULER_ID = 'license-notices';
/** A worker that has not reached Redis for this long reports itself unhealthy. */
export const REDIS_LOST_FOR_GOOD_MS = 60_000;

/** Checks a job from Redis before trusting it: a name this queue knows, and an outbox id. */
export function parseOutboxJob(queue: DeliveryQueue, job: Pick<Job, 'name' | 'data'>): OutboxJobData {
  const data = job.data as Partial<OutboxJobData> | null;
  if (!JOB_NAMES[queue].has(job.name)) throw new UnrecoverableError(`unknown ${queue} job "${job.name}"`);
  if (!data || typeof data.outboxId !== 'string' || !UUID.test(data.outboxId)) {
    throw new UnrecoverableError(`${queue} job without a valid outboxId`);
  }
  return { outboxId: data.outboxId };
}

/** Checks a maintenance job's name before running it: a name no handler has is not retried. */
export function parseMaintenanceJob(job: Pick<Job, 'name'>): MaintenanceJob {
  if (!isMaintenanceJob(job.name)) throw new UnrecoverableError(`unknown maintenance job "${job.name}"`);
  return job.name;
}

/**
 * The worker app's BullMQ workers: one per delivery queue, and the maintenance queue with its
 * hourly prune. On shutdown they stop taking jobs and wait (bounded) for the running ones.
 */
@Injectable()
export class QueueWorkers implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(QueueWorkers.name);
  private connection?: RedisClient;
  private maintenanceQueue?: Queue;
  private readonly workers: Worker[] = [];
  private redisLostAt: number | null = null;
  private readonly handlers: JobHandlers;

  constructor(
    processor: OutboxProcessor,
    maintenance: MaintenanceService,
    licenseNotices: LicenseNoticesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.handlers = jobHandlers(processor, maintenance, licenseNotices);
  }

  async onModuleInit(): Promise<void> {
    const redis = this.config.redis;
    if (!redis) throw new Error('REDIS_URL is required to run queue workers');
    checkJobHandlers(this.handlers);
    const connection = redisConnection(redis, 'worker');
    this.connection = connection;
    this.redisLostAt = Date.now();
    connection.on('ready', () => {
      if (this.redisLostAt !== null) this.logger.log('connected to redis');
      this.redisLostAt = null;
    });
    connection.on('close', () => {
      if (this.redisLostAt === null) this.logger.warn('lost redis; reconnecting');
      this.redisLostAt ??= Date.now();
    });
    connection.on('error', (err: Error) => this.logger.debug({ reason: err.message }, 'redis connection error'));
    const common = {
      connection,
      lockDuration: WORKER_LOCK_MS,
      stalledInterval: WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: WORKER_MAX_STALLED,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
          outboxBackoff(attemptsMade, err, this.config.retryBaseMs),
      },
    };
    const limiter = this.config.sendRatePerSecond ? { max: this.config.sendRatePerSecond, duration: 1000 } : undefined;
    for (const queue of DELIVERY_QUEUES) {
      this.workers.push(
        new Worker<OutboxJobData, ProcessResult>(queue, (job, token) => this.deliver(queue, job, token), {
          ...common,
          prefix: bullPrefix(redis, this.config.queuePrefix, queue),
          concurrency: this.config.workerConcurrency,
          limiter,
        }),
      );
    }
    this.workers.push(
      new Worker(QueueName.Maintenance, (job) => this.handlers[QueueName.Maintenance][parseMaintenanceJob(job)](), {
        ...common,
        prefix: bullPrefix(redis, this.config.queuePrefix, QueueName.Maintenance),
        concurrency: 1,
      }),
    );
    for (const w of this.workers) {
      w.on('error', (err) => this.logger.warn({ queue: w.name, reason: err.message }, 'worker error'));
    }
    this.maintenanceQueue = new Queue(QueueName.Maintenance, {
      connection,
      prefix: bullPrefix(redis, this.config.queuePrefix, QueueName.Maintenance),
    });
    this.maintenanceQueue.on('error', (err) => this.logger.debug({ reason: err.message }, 'maintenance queue error'));
    // Every worker upserts the same scheduler id: there is one hourly prune however many run.
    void this.maintenanceQueue
      .upsertJobScheduler(
        'prune-hourly',
        { every: 3600_000 },
        { name: MaintenanceJob.Prune, opts: MAINTENANCE_JOB_OPTIONS },
      )
      .catch((err: Error) => this.logger.warn({ reason: err.message }, 'could not schedule the prune job'));
    // The same for the license expiry scan: one scheduler id, so one job per interval across every
    // worker, and the maintenance worker runs one job at a time. Two scans that still overlap
    // send nothing twice: the database's unique keys decide (LicenseNoticeRepository).
    void this.maintenanceQueue
      .upsertJobScheduler(
        LICENSE_SCAN_SCHEDULER_ID,
        { every: this.config.licenseScanIntervalMinutes * 60_000 },
        { name: MaintenanceJob.LicenseNotices, opts: MAINTENANCE_JOB_OPTIONS },
      )
      .catch((err: Error) =>
        this.logger.warn({ reason: err.message }, 'could not schedule the license expiry scan; retried at restart'),
      );
    this.logger.log(
      {
        queues: DELIVERY_QUEUES,
        concurrency: this.config.workerConcurrency,
        ratePerSecond: this.config.sendRatePerSecond || 'unlimited',
        prefix: this.config.queuePrefix,
      },
      'queue workers started',
    );
  }

  /** False once Redis has been out of reach for REDIS_LOST_FOR_GOOD_MS. */
  healthy(now = Date.now()): boolean {
    return this.redisLostAt === null || now - this.redisLostAt < REDIS_LOST_FOR_GOOD_MS;
  }

  get redisStatus(): string {
    return this.connection?.status ?? 'none';
  }

  private async deliver(
    queue: DeliveryQueue,
    job: Job<OutboxJobData, ProcessResult>,
    token?: string,
  ): Promise<ProcessResult> {
    const { outboxId } = parseOutboxJob(queue, job);
    try {
      return await this.handlers[queue]({ outboxId });
    } catch (err) {
      if (err instanceof PermanentDeliveryError) throw new UnrecoverableError(err.message);
      if (err instanceof RowBusyError) {
        // A second run of a row another run holds (a stalled job taken over while its first run
        // still sends, or a relay's re-queue): look again when that run's lease ends, without
        // spending an attempt.
        this.logger.log(
          { outboxId, until: err.until.toISOString() },
          'message held by another run; looking again when its lease ends',
        );
        await job.moveToDelayed(err.until.getTime() + 100, token);
        throw new DelayedError();
      }
      throw err;
    }
  }

  /** Before any connection closes: running jobs still need the database to mark their rows. */
  async beforeApplicationShutdown(): Promise<void> {
    const active = this.workers.map((w) => w.close());
    const timedOut = await Promise.race([
      Promise.all(active).then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), this.config.shutdownTimeoutMs).unref()),
    ]);
    if (timedOut) {
      this.logger.warn(
        { waitedMs: this.config.shutdownTimeoutMs },
        'jobs still running at shutdown; their locks will expire and another worker retries them',
      );
      await Promise.all(this.workers.map((w) => w.close(true)));
    }
    await this.maintenanceQueue?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
    this.logger.log('queue workers stopped');
  }
}
