import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '@lmp/common';

/** What delivery counts, wherever the processor runs (worker, or the console in embedded mode). */
@Injectable()
export class DeliveryMetrics {
  readonly completed: Counter<'queue'>;
  readonly failed: Counter<'queue' | 'final'>;
  readonly sendSeconds: Histogram<'queue'>;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.completed = new Counter({
      name: 'lmp_jobs_completed_total',
      help: 'Outbox messages delivered, per queue',
      labelNames: ['queue'],
      registers,
    });
    this.failed = new Counter({
      name: 'lmp_jobs_failed_total',
      help: 'Delivery attempts that failed, per queue; final="true" when the message is dead',
      labelNames: ['queue', 'final'],
      registers,
    });
    this.sendSeconds = new Histogram({
      name: 'lmp_send_duration_seconds',
      help: 'Time to hand one message to the SMTP server or SMS gateway',
      labelNames: ['queue'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }
}
