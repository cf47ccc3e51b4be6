import { Inject, Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { Clock, MetricsRegistry } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { OUTBOX_STATUSES } from '@lmp/database';
import { BullMqJobQueue } from './bullmq-job-queue';
import { JobQueue } from './job-queue';
import { DELIVERY_QUEUES, DeliveryQueue, queueOfKind } from './jobs';
import { OutboxDispatcher } from './outbox.dispatcher';
import { OutboxRepository, StatusCounts } from './outbox.repository';

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export interface QueueStatus {
  /** null in the embedded mode, where jobs run in-process. */
  queues: Record<DeliveryQueue, QueueCounts> | null;
  outbox: StatusCounts;
  /**
   * Rows not sent whose next step was due more than OUTBOX_OVERDUE_GRACE_MS ago: retries whose
   * job was lost (the relay queues them again), or no worker running at all.
   */
  overdue: number;
  dead: Array<{
    id: string;
    kind: string;
    template: string;
    recipient: string;
    attempts: number;
    lastError: string | null;
    at: string;
  }>;
}

/** What operators see and do about delivery: counts per queue and per outbox status, and retrying dead rows. */
@Injectable()
export class QueueAdminService {
  private readonly logger = new Logger(QueueAdminService.name);

  constructor(
    private readonly queue: JobQueue,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
    private readonly clock: Clock,
    metrics: MetricsRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const outboxRows = this.outbox;
    const overdue = () => this.countOverdue();
    const queueCounts = () => this.queueCounts();
    new Gauge({
      name: 'lmp_outbox_messages',
      help: 'Outbox rows by status',
      labelNames: ['status'],
      registers: [metrics.registry],
      async collect() {
        const counts = await outboxRows.countByStatus();
        for (const status of OUTBOX_STATUSES) this.set({ status }, counts[status]);
      },
    });
    new Gauge({
      name: 'lmp_outbox_overdue',
      help: 'Outbox rows not sent whose next attempt was due more than OUTBOX_OVERDUE_GRACE_MS ago (lost retries)',
      registers: [metrics.registry],
      async collect() {
        this.set(await overdue());
      },
    });
    new Gauge({
      name: 'lmp_queue_jobs',
      help: 'BullMQ jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [metrics.registry],
      async collect() {
        const queues = await queueCounts().catch(() => null);
        for (const [queue, counts] of Object.entries(queues ?? {})) {
          for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
        }
      },
    });
  }

  async queueCounts(): Promise<Record<DeliveryQueue, QueueCounts> | null> {
    if (!(this.queue instanceof BullMqJobQueue)) return null;
    const bull = this.queue;
    const entries = await Promise.all(
      DELIVERY_QUEUES.map(async (name) => {
        const c = await bull.queues[name].getJobCounts(
          'waiting',
          'active',
          'delayed',
          'failed',
          'prioritized',
          'paused',
        );
        const counts: QueueCounts = {
          waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0),
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          failed: c.failed ?? 0,
        };
        return [name, counts] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<DeliveryQueue, QueueCounts>;
  }

  countOverdue(): Promise<number> {
    return this.outbox.countOverdue(new Date(this.clock.now().getTime() - this.config.outboxOverdueGraceMs));
  }

  async status(): Promise<QueueStatus> {
    const [queues, outbox, overdue, dead] = await Promise.all([
      this.queueCounts(),
      this.outbox.countByStatus(),
      this.countOverdue(),
      this.outbox.listDead(20),
    ]);
    return {
      queues,
      outbox,
      overdue,
      dead: dead.map((d) => ({
        id: d.id,
        kind: d.kind,
        template: d.template,
        recipient: d.recipient,
        attempts: d.attempts,
        lastError: d.lastError,
        at: d.updatedAt.toISOString(),
      })),
    };
  }

  /** Puts dead rows back on the queue with fresh attempts. Returns the ids queued again. */
  async retryDead(ids: string[] | 'all'): Promise<{ retried: string[]; queued: number }> {
    const reset = await this.outbox.resetDead(ids, this.clock.now());
    let queued = 0;
    for (const id of reset) {
      const row = await this.outbox.findById(id);
      if (!row) continue;
      await this.queue.forget(queueOfKind(row.kind), row.id);
      if (await this.dispatcher.dispatch(row)) queued++;
    }
    this.logger.log({ retried: reset.length, queued }, 'dead messages retried');
    return { retried: reset, queued };
  }
}
