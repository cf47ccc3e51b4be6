import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { JobQueue } from './job-queue';
import { jobFor } from './outbox.dispatcher';
import { OutboxRepository } from './outbox.repository';

const BATCH = 200;
/** Every unfinished row, whatever its due time: what an in-process queue lost when its process died. */
const ANY_TIME = new Date('9999-12-31T00:00:00.000Z');

export interface SweepOptions {
  /** Take every unfinished row (the embedded mode's start: in-process jobs died with the process). */
  orphans?: boolean;
  /** How overdue a row must be before its job is looked for; OUTBOX_OVERDUE_GRACE_MS by default. */
  graceMs?: number;
}

/**
 * Queues what the console could not, and what Redis lost: rows still `pending` a few seconds
 * after they were written (Redis was down at commit, or the process died between commit and
 * enqueue), and rows whose next attempt is overdue by more than a grace (their job was lost
 * with Redis' data, or given up). The due time is the row's own, so this works whatever Redis
 * remembers. Several relays may run: a row is taken with a conditional update before it is
 * queued, the job id is the outbox id, and a queued job that still exists is left alone.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private busy = false;
  /** A sweep asked for while one runs (Redis came back, or the last one had more to do). */
  private next?: SweepOptions;
  private stopped = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly queue: JobQueue,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // After an outage every overdue row may have lost its job: look at once, without the grace.
    this.queue.onReconnect(() => {
      this.logger.log('redis is back: sweeping the outbox now');
      this.sweepSoon({ graceMs: 0 });
    });
    // In-process jobs die with the process: on start every unfinished row is an orphan.
    this.tick({ orphans: !this.config.redisUrl });
  }

  /** Runs a sweep now, or right after the one running. */
  sweepSoon(options: SweepOptions = {}): void {
    if (this.stopped) return;
    if (this.busy) {
      this.next = { ...this.next, ...options };
      return;
    }
    clearTimeout(this.timer);
    this.tick(options);
  }

  private tick(options: SweepOptions): void {
    this.busy = true;
    this.running = this.sweep(options)
      .then((r) => {
        if (r.more) this.next ??= {};
      })
      .catch((err) => this.logger.warn({ reason: (err as Error).message }, 'relay sweep failed'))
      .finally(() => {
        this.busy = false;
        const next = this.next;
        this.next = undefined;
        if (next && !this.stopped) this.tick(next);
        else this.schedule();
      });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick({}), this.config.relayIntervalMs);
    this.timer.unref();
  }

  /** One pass. `queued`: rows handed to the queue; `more`: a batch was full, sweep again soon. */
  async sweep(options: SweepOptions = {}): Promise<{ queued: number; more: boolean }> {
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
        return { queued, more: false };
      }
    }
    const graceMs = options.graceMs ?? this.config.outboxOverdueGraceMs;
    const overdueBefore = options.orphans ? ANY_TIME : new Date(now.getTime() - graceMs);
    const overdue = await this.outbox.findOverdue(overdueBefore, BATCH);
    let requeued = 0;
    for (const row of overdue) {
      if (this.stopped) break;
      const item = jobFor(row);
      try {
        if (!options.orphans && (await this.queue.isAlive(item))) {
          // A backlog, not a loss: its job is still waiting, delayed or running.
          if (row.status !== 'sending') await this.outbox.postpone(row, new Date(now.getTime() + graceMs));
          continue;
        }
        if (!(await this.outbox.requeueOverdue(row, this.clock.now()))) continue;
        await this.queue.requeue(item);
        queued++;
        requeued++;
      } catch (err) {
        // The row says `queued`, due now: the next sweep looks at it again.
        this.logger.warn({ reason: (err as Error).message }, 'relay cannot reach the queue');
        break;
      }
    }
    if (requeued) this.logger.warn({ requeued }, 'relay queued overdue messages again (their jobs were lost)');
    if (queued) this.logger.log({ queued }, 'relay queued messages');
    return { queued, more: queued > 0 && (pending.length === BATCH || overdue.length === BATCH) };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
