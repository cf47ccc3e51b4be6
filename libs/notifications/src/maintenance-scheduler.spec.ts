import { Logger } from '@nestjs/common';
import { JobQueue } from './job-queue';
import { JobItem, MaintenanceJob, QueueName } from './jobs';
import { MaintenanceScheduler } from './maintenance-scheduler';

describe(MaintenanceScheduler.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('queues the prune job every hour, as the worker schedules it', async () => {
    const enqueue = jest.fn<Promise<void>, [JobItem]>(async () => undefined);
    const sut = new MaintenanceScheduler({ enqueue } as unknown as JobQueue);

    sut.onApplicationBootstrap();
    jest.advanceTimersByTime(3600_000 - 1);
    expect(enqueue).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    jest.advanceTimersByTime(3600_000);
    sut.onApplicationShutdown();
    jest.advanceTimersByTime(3600_000);

    expect(enqueue.mock.calls).toEqual([
      [{ queue: QueueName.Maintenance, name: MaintenanceJob.Prune, data: {} }],
      [{ queue: QueueName.Maintenance, name: MaintenanceJob.Prune, data: {} }],
    ]);
  });
});
