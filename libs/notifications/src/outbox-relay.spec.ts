import { Logger } from '@nestjs/common';
import { Clock } from '@lmp/common';
import { AppConfig } from '@lmp/config';
import { JobQueue } from './job-queue';
import { JobItem, MailTemplate } from './jobs';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository, OverdueRow } from './outbox.repository';

const NOW = new Date('2030-03-01T09:30:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);

class FakeClock extends Clock {
  now(): Date {
    return NOW;
  }
}

/** A queue that lost everything with Redis' data, and tells when it is reachable again. */
class FakeQueue extends JobQueue {
  readonly alive = new Set<string>();
  readonly requeued: Array<{ id: string; delayMs: number }> = [];
  private listener?: () => void;
  /** Another worker's relay holds the lock. */
  heldElsewhere = false;
  override async exclusive<T>(_name: string, _ttlMs: number, fn: () => Promise<T>) {
    return this.heldElsewhere ? ({ ran: false } as const) : ({ ran: true, value: await fn() } as const);
  }
  async enqueue(item: JobItem): Promise<void> {
    this.alive.add(item.data.outboxId);
  }
  async isAlive(item: JobItem): Promise<boolean> {
    return this.alive.has(item.data.outboxId);
  }
  async requeue(item: JobItem, delayMs = 0): Promise<void> {
    this.requeued.push({ id: item.data.outboxId, delayMs });
    this.alive.add(item.data.outboxId);
  }
  override onReconnect(listener: () => void): void {
    this.listener = listener;
  }
  reconnect(): void {
    this.listener?.();
  }
  async forget(): Promise<void> {}
  async close(): Promise<void> {}
}

const row = (id: string, status: OverdueRow['status'], dueAt: Date): OverdueRow => ({
  id,
  kind: 'mail',
  template: MailTemplate.PasswordReset,
  status,
  dueAt,
});

describe(OutboxRelay.name, () => {
  const config = {
    redis: { mode: 'standalone', url: 'redis://x' },
    relayDelayMs: 5000,
    relayIntervalMs: 3600_000,
    outboxOverdueGraceMs: 60_000,
  } as AppConfig;
  let rows: OverdueRow[];
  let outbox: Record<string, jest.Mock>;
  let queue: FakeQueue;
  let sut: OutboxRelay;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    rows = [];
    outbox = {
      findStale: jest.fn(async () => []),
      findOverdue: jest.fn(async (before: Date) => rows.filter((r) => r.dueAt! < before)),
      findUnfinished: jest.fn(async (after: string) => rows.filter((r) => r.id > after)),
      requeueOverdue: jest.fn(async () => true),
      postpone: jest.fn(async () => undefined),
    };
    queue = new FakeQueue();
    sut = new OutboxRelay(outbox as unknown as OutboxRepository, queue, new FakeClock(), config);
  });

  afterEach(() => sut.beforeApplicationShutdown());

  it('queues again a retry overdue by more than the grace whose job is gone, and leaves one within the grace', async () => {
    rows = [row('a-lost', 'failed', at(-61_000)), row('b-recent', 'failed', at(-30_000))];

    await sut.sweep();

    expect(queue.requeued).toEqual([{ id: 'a-lost', delayMs: 0 }]);
    expect(outbox.requeueOverdue).toHaveBeenCalledWith(rows[0], NOW, NOW);
  });

  it('leaves an overdue row whose job still waits (a backlog), looking again a grace later', async () => {
    rows = [row('a-backlog', 'queued', at(-61_000))];
    queue.alive.add('a-backlog');

    await sut.sweep();

    expect(queue.requeued).toEqual([]);
    expect(outbox.postpone).toHaveBeenCalledWith(rows[0], at(60_000));
  });

  it('when Redis is back, looks at once for every unfinished row: lost retries are queued for their due time', async () => {
    rows = [
      row('a-due', 'failed', at(-2_000)),
      row('b-later', 'failed', at(4_000)),
      row('c-alive', 'queued', at(-1_000)),
      row('d-held', 'sending', at(9_000)),
    ];
    queue.alive.add('c-alive');
    sut.onApplicationBootstrap();
    await new Promise((r) => setTimeout(r, 20));
    queue.requeued.length = 0;
    outbox.requeueOverdue.mockClear();

    queue.reconnect();
    await new Promise((r) => setTimeout(r, 20));

    expect(queue.requeued).toEqual([
      { id: 'a-due', delayMs: 0 },
      { id: 'b-later', delayMs: 4_000 },
      // A run may still be sending it: its job comes back for the end of the lease, and the
      // row is not taken from that run.
      { id: 'd-held', delayMs: 9_000 },
    ]);
    expect(outbox.requeueOverdue.mock.calls.map(([r, dueAt]) => [(r as OverdueRow).id, dueAt])).toEqual([
      ['a-due', NOW],
      ['b-later', at(4_000)],
    ]);
  });

  it('sweeps once at a time across workers: skipped while another holds the lock, a pass asked for runs at the next tick', async () => {
    rows = [row('a-due', 'failed', at(-2_000))];
    queue.heldElsewhere = true;
    sut = new OutboxRelay(outbox as unknown as OutboxRepository, queue, new FakeClock(), {
      ...config,
      relayIntervalMs: 50,
    });
    sut.onApplicationBootstrap();
    queue.reconnect();
    await new Promise((r) => setTimeout(r, 150));

    expect(outbox.findStale).not.toHaveBeenCalled();
    expect(queue.requeued).toEqual([]);

    queue.heldElsewhere = false;
    await new Promise((r) => setTimeout(r, 150));

    // The retry is within the grace: only the pass over every unfinished row finds its job gone.
    expect(queue.requeued).toEqual([{ id: 'a-due', delayMs: 0 }]);
  });
});
