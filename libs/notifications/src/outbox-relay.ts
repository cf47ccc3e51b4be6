import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { JobQueue } from './job-queue';
import { jobFor } from './outbox.dispatcher';
import { OutboxRepository, OverdueRow } from './outbox.repository';

const BATCH = 200;
/** A sweep holds the relay lock at most this long (it is released as soon as the sweep ends). */
export const RELAY_LOCK_MS = 60_000;

export interface SweepOptions {
  /** Every unfinished row is an orphan (the embedded mode's start: in-process jobs died with the process). */
  orphans?: boolean;
  /** Look for the job of every unfinished row, due or not (Redis is back: what it lost is not yet overdue). */
  all?: boolean;
}

/**
 * Queues what the console could not, and what Redis lost: rows still `pending` a few seconds
 * after they were written (Redis was down at commit, or the process died between commit and
 * enqueue), and rows whose next attempt is overdue by more than a grace (their job was lost
 * with Redis' data, or given up). The due time is the row's own, so this works whatever Redis
 * remembers. Every worker runs a relay, and one sweeps at a time (a lock in Redis); were two to
 * overlap (a lock that expired), a row is still taken with a conditional update before it is
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
  /** A sweep asked for that another worker's sweep kept from running: tried again at the next tick. */
  private deferred?: SweepOptions;
  private stopped = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly queue: JobQueue,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // After an outage any unfinished row may have lost its job: look at once, without the grace.
    this.queue.onReconnect(() => {
      this.logger.log('redis is back: sweeping the outbox now');
      this.sweepSoon({ all: true });
    });
    // In-process jobs die with the process: on start every unfinished row is an orphan.
    this.tick({ orphans: !this.config.redis });
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

  /**
   * One sweep at a time across every worker (a lock in Redis): the others skip their tick. A
   * sweep that was asked for (Redis came back) and skipped is tried again at the next tick, so
   * each worker still makes its own pass after an outage.
   */
  private tick(options: SweepOptions): void {
    this.busy = true;
    this.running = this.queue
      .exclusive('outbox-relay', RELAY_LOCK_MS, () => this.sweep(options))
      .then((r) => {
        if (!r.ran) {
          if (options.all || options.orphans) this.deferred = { ...this.deferred, ...options };
        } else if (r.value.more) this.next ??= {};
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
    this.timer = setTimeout(() => {
      const options = this.deferred ?? {};
      this.deferred = undefined;
      this.tick(options);
    }, this.config.relayIntervalMs);
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
    const graceMs = this.config.outboxOverdueGraceMs;
    let requeued = 0;
    let more = false;
    if (options.orphans || options.all) {
      // Every unfinished row, page by page: after an outage any of them may have lost its job.
      for (let after = ''; !this.stopped;) {
        const page = await this.outbox.findUnfinished(after, BATCH);
        for (const row of page) {
          if (this.stopped) break;
          const outcome = await this.requeueIfLost(row, options);
          if (outcome === 'unreachable') return { queued: queued + requeued, more: false };
          if (outcome === 'queued') requeued++;
        }
        if (page.length < BATCH) break;
        after = page[page.length - 1].id;
      }
    } else {
      const overdue = await this.outbox.findOverdue(new Date(now.getTime() - graceMs), BATCH);
      for (const row of overdue) {
        if (this.stopped) break;
        const outcome = await this.requeueIfLost(row, options);
        if (outcome === 'unreachable') break;
        if (outcome === 'queued') requeued++;
        // A backlog, not a loss: its job is still waiting or delayed. Look again a grace later.
        if (outcome === 'alive' && row.status !== 'sending') {
          await this.outbox.postpone(row, new Date(now.getTime() + graceMs));
        }
      }
      more = overdue.length === BATCH && requeued > 0;
    }
    if (requeued) this.logger.warn({ requeued }, 'relay queued overdue messages again (their jobs were lost)');
    if (queued) this.logger.log({ queued }, 'relay queued messages');
    return { queued: queued + requeued, more: more || (queued > 0 && pending.length === BATCH) };
  }

  /**
   * Queues a row again if its job is gone: a failed row for when its retry is due, a row a run
   * may still be sending for when that run's lease ends (without taking it from that run), any
   * other at once. Rows whose job still exists are left alone.
   */
  private async requeueIfLost(
    row: OverdueRow,
    options: SweepOptions,
  ): Promise<'queued' | 'alive' | 'taken' | 'unreachable'> {
    const item = jobFor(row);
    const now = this.clock.now();
    try {
      // In-process jobs died with the process: nothing is alive, and no run still holds a row.
      if (!options.orphans && (await this.queue.isAlive(item))) return 'alive';
      const ahead = row.dueAt && row.dueAt > now ? row.dueAt : null;
      if (!options.orphans && ahead && row.status === 'sending') {
        await this.queue.requeue(item, ahead.getTime() - now.getTime());
        return 'queued';
      }
      const dueAt = ahead && row.status === 'failed' ? ahead : now;
      if (!(await this.outbox.requeueOverdue(row, dueAt, now))) return 'taken';
      // The row says `queued`: if Redis fails now, the next sweep looks at it again.
      await this.queue.requeue(item, dueAt.getTime() - now.getTime());
      return 'queued';
    } catch (err) {
      this.logger.warn({ reason: (err as Error).message }, 'relay cannot reach the queue');
      return 'unreachable';
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
