import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { MailTemplate, OutboxJobData, QueueName } from './jobs';
import { OutboxProcessor, PermanentDeliveryError, ProcessResult } from './outbox.processor';
import { redisConnection } from './redis';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TEMPLATES = new Set<string>(Object.values(MailTemplate));

/** Checks a job from Redis before trusting it: a name we know and an outbox id. */
export function parseMailJob(job: Pick<Job, 'name' | 'data'>): OutboxJobData {
  const data = job.data as Partial<OutboxJobData> | null;
  if (!TEMPLATES.has(job.name)) throw new UnrecoverableError(`unknown mail job "${job.name}"`);
  if (!data || typeof data.outboxId !== 'string' || !UUID.test(data.outboxId)) {
    throw new UnrecoverableError('mail job without a valid outboxId');
  }
  return { outboxId: data.outboxId };
}

/** Runs the mail queue's BullMQ worker in the worker app. Closes gracefully on shutdown. */
@Injectable()
export class MailWorkerHost implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(MailWorkerHost.name);
  private connection?: IORedis;
  private worker?: Worker<OutboxJobData, ProcessResult>;

  constructor(
    private readonly processor: OutboxProcessor,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.redisUrl) throw new Error('REDIS_URL is required to run queue workers');
    this.connection = redisConnection(this.config.redisUrl, 'worker');
    this.worker = new Worker<OutboxJobData, ProcessResult>(QueueName.Mail, (job) => this.handle(job), {
      connection: this.connection,
      prefix: this.config.queuePrefix,
      concurrency: this.config.workerConcurrency,
    });
    this.worker.on('error', (err) => this.logger.warn({ reason: err.message }, 'mail worker error'));
    this.logger.log(
      { queue: QueueName.Mail, concurrency: this.config.workerConcurrency, prefix: this.config.queuePrefix },
      'mail worker started',
    );
  }

  private async handle(job: Job<OutboxJobData, ProcessResult>): Promise<ProcessResult> {
    const { outboxId } = parseMailJob(job);
    try {
      return await this.processor.process(outboxId, {
        attempt: job.attemptsMade + 1,
        maxAttempts: job.opts.attempts ?? 1,
      });
    } catch (err) {
      if (err instanceof PermanentDeliveryError) throw new UnrecoverableError(err.message);
      throw err;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
    this.logger.log('mail worker stopped');
  }
}
