import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { JobQueue } from './job-queue';
import { jobFor } from './outbox.dispatcher';
import { OutboxRepository } from './outbox.repository';

/** A queued or failed row untouched this long has lost its job (Redis lost its data, or a process died). */
export const STALE_AFTER_MS = 15 * 60_000;
const BATCH = 200;

/**
 * Queues what the console could not: rows still `pending` a few seconds after they were
 * written (Redis was down at commit, or the process died between commit and enqueue), and
 * rows whose job was lost. Several relays may run: a row is claimed with a conditional
 * update before it is queued, and the job id is the outbox id, so nothing is queued twice.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly queue: JobQueue,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // In-process jobs die with the process: on start every unfinished row is an orphan.
    const orphansBefore = this.config.redisUrl ? undefined : this.clock.now();
    this.running = this.sweep(orphansBefore).catch((err) => this.logger.warn({ err }, 'relay sweep failed'));
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .catch((err) => this.logger.warn({ reason: (err as Error).message }, 'relay sweep failed'))
        .finally(() => this.schedule());
    }, this.config.relayIntervalMs);
    this.timer.unref();
  }

  /** One pass. Returns how many rows it queued. */
  async sweep(orphansBefore?: Date): Promise<number> {
    const now = this.clock.now();
    let queued = 0;
    const pending = await this.outbox.findStale(['pending'], new Date(now.getTime() - this.config.relayDelayMs), BATCH);
    for (const row of pending) {
      if (this.stopped) break;
      if (!(await this.outbox.transition(row.id, 'pending', 'queued', this.clock.now()))) continue;
      try {
        await this.queue.enqueue(jobFor(row));
        queued++;
      } catch (err) {
        // Give it back; the next sweep tries again.
        await this.outbox.transition(row.id, 'queued', 'pending', row.updatedAt);
        this.logger.warn({ reason: (err as Error).message, waiting: pending.length }, 'relay cannot reach the queue');
        break;
      }
    }
    const staleBefore = orphansBefore ?? new Date(now.getTime() - STALE_AFTER_MS);
    for (const row of await this.outbox.findStale(['queued', 'failed'], staleBefore, BATCH)) {
      if (this.stopped) break;
      if (!(await this.outbox.touch(row.id, row.status, row.updatedAt, this.clock.now()))) continue;
      try {
        await this.queue.enqueue(jobFor(row));
        queued++;
      } catch {
        break;
      }
    }
    if (queued) this.logger.log({ queued }, 'relay queued messages');
    return queued;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
