import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import {
  JobQueue,
  LICENSE_SCAN_SCHEDULER_ID,
  LicenseNoticesService,
  MaintenanceJob,
  QueueName,
} from '@lmp/notifications';
import { runFlows } from '../support/flows';
import { LICENSE_FLOWS } from '../support/license-flow';
import { productionStack } from '../support/stacks';
import { TEST_REDIS_URL } from '../support/services';

/**
 * The license flows on the production path: MariaDB, Redis, a worker and SMTP. The two
 * scanners are the worker's and the console's, each with its own connection pool, so "at the
 * same moment" is two transactions racing on MariaDB.
 */
describe('licenses and expiry notices (MariaDB + Redis + worker)', () => {
  const running = runFlows(
    LICENSE_FLOWS,
    async () => {
      const started = await productionStack({ LICENSE_SCAN_INTERVAL_MINUTES: '30' });
      const { worker, sut } = started.stack;
      const scanners = [worker, sut.app].map((app) => {
        const service = app.get(LicenseNoticesService);
        return (asOf: Date) => service.scan(asOf);
      });
      return { ...started, ctx: { ...started.ctx, scanners } };
    },
    { timeout: 120_000 },
  );

  it('schedules the scan once in Redis, at the configured interval, and the worker runs it', async () => {
    const { stack } = running();
    const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QueueName.Maintenance, { connection, prefix: stack.env.QUEUE_PREFIX });
    try {
      const deadline = Date.now() + 10_000;
      let scheduler = await queue.getJobScheduler(LICENSE_SCAN_SCHEDULER_ID);
      while (!scheduler && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        scheduler = await queue.getJobScheduler(LICENSE_SCAN_SCHEDULER_ID);
      }
      expect(scheduler).toMatchObject({ every: 30 * 60_000, name: MaintenanceJob.LicenseNotices });
      expect((await queue.getJobSchedulers()).filter((s) => s.name === MaintenanceJob.LicenseNotices)).toHaveLength(1);

      // A scan queued now (as of today: nothing of the flows is due) is run by the worker.
      await stack.sut.app
        .get(JobQueue)
        .enqueue({ queue: QueueName.Maintenance, name: MaintenanceJob.LicenseNotices, data: {} });
      const until = Date.now() + 20_000;
      for (;;) {
        const done = await queue.getCompleted();
        const scan = done.find((j) => j.name === MaintenanceJob.LicenseNotices && j.returnvalue);
        if (scan) {
          expect(scan.returnvalue).toEqual({ licenseNotices: 0, partnerDigests: 0 });
          break;
        }
        if (Date.now() > until) throw new Error('the worker did not run the license scan');
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await queue.close();
      await connection.quit();
    }
  }, 60_000);
});
