import { InlineJobQueue } from './inline-job-queue';
import { JobHandlers, jobHandlers } from './job-handlers';
import { DeliveryJob, MailTemplate, MaintenanceJob, QueueName } from './jobs';
import { MaintenanceService, PruneResult } from './maintenance.service';
import {
  OutboxProcessor,
  PermanentDeliveryError,
  ProcessResult,
  RetryLaterError,
  RowBusyError,
} from './outbox.processor';

const OUTBOX_ID = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const job = (outboxId = OUTBOX_ID): DeliveryJob => ({
  queue: QueueName.Mail,
  name: MailTemplate.PasswordReset,
  data: { outboxId },
});

type Process = (outboxId: string) => Promise<ProcessResult>;

const PRUNED: PruneResult = { tokens: 0, outbox: 0, sessions: 0, mfaSetups: 0 };

/** The handlers the module builds, over a fake processor and a fake maintenance service. */
function fakeProcessor(impl: Process, prune: () => Promise<PruneResult> = async () => PRUNED) {
  const process = jest.fn<Promise<ProcessResult>, [string]>(impl);
  const maintenance = { prune: jest.fn(prune) };
  const licenses = { scan: async () => ({ licenseNotices: 0, partnerDigests: 0 }) };
  const handlers = jobHandlers(
    { process } as unknown as OutboxProcessor,
    maintenance as unknown as MaintenanceService,
    licenses,
  );
  return { process, prune: maintenance.prune, handlers };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets pending microtasks and setImmediate callbacks run. */
const settle = async (rounds = 5) => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
};

describe(InlineJobQueue.name, () => {
  let sut: InlineJobQueue | undefined;

  afterEach(async () => {
    await sut?.close();
    sut = undefined;
  });

  it('runs an enqueued job once when it succeeds', async () => {
    const { process, handlers } = fakeProcessor(async () => 'sent');
    sut = new InlineJobQueue(handlers, 5, 1);

    await sut.enqueue(job());
    await sut.drain();

    expect(process).toHaveBeenCalledTimes(1);
    expect(process).toHaveBeenCalledWith(OUTBOX_ID);
  });

  it('does not run the job inside enqueue, so the request that queued it is not held up', async () => {
    const { process, handlers } = fakeProcessor(async () => 'sent');
    sut = new InlineJobQueue(handlers, 5, 1);

    await sut.enqueue(job());

    expect(process).not.toHaveBeenCalled();
    expect(sut.pending).toBe(1);
    await sut.drain();
    expect(sut.pending).toBe(0);
  });

  it('retries an unexpected error (the database out of reach) up to maxAttempts, then leaves it to the relay', async () => {
    const { process, handlers } = fakeProcessor(async () => {
      throw Object.assign(new Error('conn'), { code: 'ECONNRESET' });
    });
    sut = new InlineJobQueue(handlers, 4, 1);

    await sut.enqueue(job());
    await sut.drain();

    expect(process).toHaveBeenCalledTimes(4);
  });

  it('waits the delay the processor stored with the row before the next attempt', async () => {
    const calls: number[] = [];
    const { handlers } = fakeProcessor(async () => {
      calls.push(Date.now());
      if (calls.length === 1) throw new RetryLaterError('SMTP 451: try later', 150);
      return 'sent';
    });
    sut = new InlineJobQueue(handlers, 8, 60_000);

    await sut.enqueue(job());
    await sut.drain();

    expect(calls).toHaveLength(2);
    expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(140);
    expect(calls[1] - calls[0]).toBeLessThan(2000);
  });

  it("runs a row another run holds again when that run's lease ends, without counting an attempt", async () => {
    let calls = 0;
    const { process, handlers } = fakeProcessor(async () => {
      calls++;
      if (calls <= 3) throw new RowBusyError(new Date(Date.now() + 20));
      return 'sent';
    });
    // One attempt only: waiting for another run is not one.
    sut = new InlineJobQueue(handlers, 1, 1);

    await sut.enqueue(job());
    await sut.drain();

    expect(process).toHaveBeenCalledTimes(4);
  });

  it('runs one outbox id once at a time: queuing it again while it runs does nothing', async () => {
    const gate = deferred<ProcessResult>();
    const { process, handlers } = fakeProcessor(() => gate.promise);
    sut = new InlineJobQueue(handlers, 3, 1);

    await sut.enqueue(job());
    await settle();
    expect(await sut.isAlive(job())).toBe(true);
    await sut.requeue(job());
    await sut.enqueue(job());
    gate.resolve('sent');
    await sut.drain();

    expect(process).toHaveBeenCalledTimes(1);
    expect(await sut.isAlive(job())).toBe(false);
  });

  it('stops retrying once an attempt succeeds', async () => {
    let calls = 0;
    const { process, handlers } = fakeProcessor(async () => {
      calls++;
      if (calls < 3) throw new Error('temporary');
      return 'sent';
    });
    sut = new InlineJobQueue(handlers, 8, 1);

    await sut.enqueue(job());
    await sut.drain();

    expect(process).toHaveBeenCalledTimes(3);
  });

  it('stops at once on a PermanentDeliveryError', async () => {
    const { process, handlers } = fakeProcessor(async () => {
      throw new PermanentDeliveryError('SMTP 550: no such user');
    });
    sut = new InlineJobQueue(handlers, 8, 1);

    await sut.enqueue(job());
    await sut.drain();

    expect(process).toHaveBeenCalledTimes(1);
  });

  it('drain() waits for jobs still in flight', async () => {
    const gate = deferred<ProcessResult>();
    const { process, handlers } = fakeProcessor(() => gate.promise);
    sut = new InlineJobQueue(handlers, 3, 1);
    let drained = false;

    await sut.enqueue(job());
    const draining = sut.drain().then(() => {
      drained = true;
    });
    await settle();

    expect(process).toHaveBeenCalledTimes(1);
    expect(drained).toBe(false);

    gate.resolve('sent');
    await draining;
    expect(drained).toBe(true);
  });

  it('drain() also waits for a job enqueued while draining', async () => {
    const first = deferred<ProcessResult>();
    const second = deferred<ProcessResult>();
    const { process, handlers } = fakeProcessor((id) => (id === 'first' ? first.promise : second.promise));
    sut = new InlineJobQueue(handlers, 3, 1);
    let drained = false;

    await sut.enqueue(job('first'));
    const draining = sut.drain().then(() => {
      drained = true;
    });
    await sut.enqueue(job('second'));
    first.resolve('sent');
    await settle();

    expect(process).toHaveBeenCalledTimes(2);
    expect(drained).toBe(false);

    second.resolve('sent');
    await draining;
    expect(drained).toBe(true);
  });

  it('close() cuts a pending retry short instead of waiting out the backoff', async () => {
    const { process, handlers } = fakeProcessor(async () => {
      throw new Error('temporary');
    });
    // A backoff of about a minute: close() must not wait for it.
    const queue = new InlineJobQueue(handlers, 5, 60_000);

    await queue.enqueue(job());
    await settle();
    expect(process).toHaveBeenCalledTimes(1);

    const started = Date.now();
    await queue.close();

    expect(Date.now() - started).toBeLessThan(1000);
    expect(queue.pending).toBe(0);
    await settle();
    expect(process).toHaveBeenCalledTimes(1);
  });

  it('close() refuses new jobs', async () => {
    const { process, handlers } = fakeProcessor(async () => 'sent');
    const queue = new InlineJobQueue(handlers, 5, 1);

    await queue.close();

    await expect(queue.enqueue(job())).rejects.toThrow('queue is closed');
    await settle();
    expect(process).not.toHaveBeenCalled();
  });

  it('close() lets a job already being processed finish', async () => {
    const gate = deferred<ProcessResult>();
    const { process, handlers } = fakeProcessor(() => gate.promise);
    const queue = new InlineJobQueue(handlers, 5, 1);
    let closed = false;

    await queue.enqueue(job());
    await settle();
    const closing = queue.close().then(() => {
      closed = true;
    });
    await settle();

    expect(closed).toBe(false);
    gate.resolve('sent');
    await closing;
    expect(closed).toBe(true);
    expect(process).toHaveBeenCalledTimes(1);
  });

  describe('maintenance jobs, through the same enqueue', () => {
    const prune = { queue: QueueName.Maintenance, name: MaintenanceJob.Prune, data: {} } as const;

    it('runs a prune job with the maintenance handler, not the processor', async () => {
      const { process, prune: pruneRows, handlers } = fakeProcessor(async () => 'sent');
      sut = new InlineJobQueue(handlers, 5, 1);

      await sut.enqueue(prune);
      await sut.drain();

      expect(pruneRows).toHaveBeenCalledTimes(1);
      expect(process).not.toHaveBeenCalled();
    });

    it('runs a failed prune once (the next hour runs it again), like the worker', async () => {
      const { prune: pruneRows, handlers } = fakeProcessor(
        async () => 'sent',
        async () => {
          throw new Error('database is down');
        },
      );
      sut = new InlineJobQueue(handlers, 5, 1);

      await sut.enqueue(prune);
      await sut.drain();

      expect(pruneRows).toHaveBeenCalledTimes(1);
    });

    it('does not start a second prune while one runs', async () => {
      const gate = deferred<PruneResult>();
      const { prune: pruneRows, handlers } = fakeProcessor(
        async () => 'sent',
        () => gate.promise,
      );
      sut = new InlineJobQueue(handlers, 5, 1);

      await sut.enqueue(prune);
      await settle();
      await sut.enqueue(prune);
      gate.resolve(PRUNED);
      await sut.drain();

      expect(pruneRows).toHaveBeenCalledTimes(1);
    });

    it('refuses to start without a handler for every maintenance job', () => {
      const { handlers } = fakeProcessor(async () => 'sent');
      const missing = { ...handlers, [QueueName.Maintenance]: {} } as unknown as JobHandlers;

      expect(() => new InlineJobQueue(missing, 5, 1)).toThrow(
        'cannot start the job handlers: maintenance job "prune" has no handler',
      );
    });
  });
});
