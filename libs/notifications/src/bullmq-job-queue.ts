import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { JobsOptions, Queue } from 'bullmq';
import type { RedisConfig } from '@lmp/config';
import { JobQueue } from './job-queue';
import {
  DELIVERY_QUEUES,
  DeliveryJob,
  DeliveryQueue,
  jobDefaults,
  JobItem,
  MAINTENANCE_JOB_OPTIONS,
  QueueName,
} from './jobs';
import { bullPrefix, onRedisRecovered, RedisClient, redisConnection, whenReady } from './redis';

/** A delivery job's id is its outbox id, so that a message is queued once; maintenance jobs get BullMQ's own. */
function jobOptions(item: JobItem): JobsOptions {
  return item.queue === QueueName.Maintenance ? MAINTENANCE_JOB_OPTIONS : { jobId: item.data.outboxId };
}

/** Production queue: BullMQ on Redis, `jobId` = outbox id so that a message is queued once. */
export class BullMqJobQueue extends JobQueue {
  private readonly logger = new Logger(BullMqJobQueue.name);
  readonly connection: RedisClient;
  readonly queues: Record<DeliveryQueue, Queue>;
  /** Not a delivery queue: its jobs have neither the outbox's retries nor its backoff. */
  readonly maintenance: Queue;
  private readonly reconnectListeners: Array<() => void> = [];

  constructor(
    redis: RedisConfig,
    private readonly prefix: string,
    attempts: number,
    retryBaseMs: number,
    webhookAttempts = attempts,
  ) {
    super();
    this.connection = redisConnection(redis, 'producer');
    this.connection.on('error', (err: Error) => this.logger.warn({ reason: err.message }, 'redis connection error'));
    // Every recovery after the listeners were added follows an outage, a start while Redis was
    // down or a Cluster failover: what was due meanwhile may have lost its job.
    onRedisRecovered(this.connection, () => {
      for (const listener of this.reconnectListeners) listener();
    });
    const options = (name: DeliveryQueue) => ({
      connection: this.connection,
      prefix: bullPrefix(redis, prefix, name),
      defaultJobOptions: jobDefaults(name === QueueName.Webhook ? webhookAttempts : attempts, retryBaseMs),
    });
    this.queues = Object.fromEntries(DELIVERY_QUEUES.map((name) => [name, new Queue(name, options(name))])) as Record<
      DeliveryQueue,
      Queue
    >;
    this.maintenance = new Queue(QueueName.Maintenance, {
      connection: this.connection,
      prefix: bullPrefix(redis, prefix, QueueName.Maintenance),
    });
    // Their connection's errors are logged above; a queue's own would otherwise go unhandled.
    for (const queue of [...Object.values(this.queues), this.maintenance]) queue.on('error', () => undefined);
  }

  private queueOf(item: JobItem): Queue {
    return item.queue === QueueName.Maintenance ? this.maintenance : this.queues[item.queue];
  }

  ready(ms = 3000): Promise<boolean> {
    return whenReady(this.connection, ms);
  }

  async enqueue(item: JobItem): Promise<void> {
    // BullMQ would wait for a connection that is not there; the outbox row waits instead.
    if (this.connection.status !== 'ready') throw new Error(`redis is ${this.connection.status}`);
    await this.queueOf(item).add(item.name, item.data, jobOptions(item));
  }

  override async enqueueMany(items: JobItem[]): Promise<void> {
    if (this.connection.status !== 'ready') throw new Error(`redis is ${this.connection.status}`);
    const byQueue = new Map<Queue, JobItem[]>();
    for (const item of items) byQueue.set(this.queueOf(item), [...(byQueue.get(this.queueOf(item)) ?? []), item]);
    await Promise.all(
      [...byQueue].map(([queue, list]) =>
        queue.addBulk(list.map((item) => ({ name: item.name, data: item.data, opts: jobOptions(item) }))),
      ),
    );
  }

  override onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  async isAlive(item: DeliveryJob): Promise<boolean> {
    if (this.connection.status !== 'ready') throw new Error(`redis is ${this.connection.status}`);
    const state = await this.queues[item.queue].getJobState(item.data.outboxId);
    return !['completed', 'failed', 'unknown'].includes(state);
  }

  async requeue(item: DeliveryJob, delayMs = 0): Promise<void> {
    if (this.connection.status !== 'ready') throw new Error(`redis is ${this.connection.status}`);
    const queue = this.queues[item.queue];
    // A finished job keeps its id for a day: adding under it would do nothing.
    const state = await queue.getJobState(item.data.outboxId);
    if (state === 'completed' || state === 'failed') await queue.remove(item.data.outboxId);
    await queue.add(item.name, item.data, { jobId: item.data.outboxId, delay: Math.max(0, Math.round(delayMs)) });
  }

  override async exclusive<T>(
    name: string,
    ttlMs: number,
    fn: () => Promise<T>,
  ): Promise<{ ran: true; value: T } | { ran: false }> {
    const key = `${this.prefix}:lock:${name}`;
    const token = randomUUID();
    try {
      if (this.connection.status !== 'ready') return { ran: false };
      if ((await this.connection.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return { ran: false };
    } catch {
      return { ran: false };
    }
    try {
      return { ran: true, value: await fn() };
    } finally {
      // Only our own lock: if it expired meanwhile another process may hold a new one.
      await this.connection
        .eval(
          "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
          1,
          key,
          token,
        )
        .catch(() => undefined);
    }
  }

  /** Takes a job out of BullMQ's failed set so that the same id can be queued again. */
  async forget(queue: DeliveryQueue, jobId: string): Promise<void> {
    const job = await this.queues[queue].getJob(jobId);
    if (job && (await job.isFailed())) await job.remove();
  }

  async close(): Promise<void> {
    if (this.connection.status !== 'ready') {
      // Nothing to flush; closing the queues would wait for a connection that never comes.
      this.connection.disconnect();
      return;
    }
    await Promise.all([...Object.values(this.queues), this.maintenance].map((q) => q.close()));
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
