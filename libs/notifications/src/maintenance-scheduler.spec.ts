import { Logger } from '@nestjs/common';
import { JobQueue } from './job-queue';
import { JobItem, MaintenanceJob, QueueName } from './jobs';
import { MaintenanceScheduler } from './maintenance-scheduler';

describe(MaintenanceScheduler.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('queues the prune job every hour and the license scan at its interval, as the worker schedules them', async () => {
    const enqueue = jest.fn<Promise<void>, [JobItem]>(async () => undefined);
    const sut = new MaintenanceScheduler({ enqueue } as unknown as JobQueue, { licenseScanIntervalMinutes: 90 });

    sut.onApplicationBootstrap();
    jest.advanceTimersByTime(3600_000 - 1);
    expect(enqueue).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    jest.advanceTimersByTime(3600_000);
    sut.onApplicationShutdown();
    jest.advanceTimersByTime(3600_000);

    const prune = { queue: QueueName.Maintenance, name: MaintenanceJob.Prune, data: {} };
    const scan = { queue: QueueName.Maintenance, name: MaintenanceJob.LicenseNotices, data: {} };
    // Prune at 60 and 120 minutes, the license scan every 90 (LICENSE_SCAN_INTERVAL_MINUTES).
    expect(enqueue.mock.calls).toEqual([[prune], [scan], [prune]]);
  });
});
