import { checkJobHandlers, JobHandlers, jobHandlers, runJob } from './job-handlers';
import { MailTemplate, MaintenanceJob, QueueName, SmsTemplate } from './jobs';
import { MaintenanceService } from './maintenance.service';
import { OutboxProcessor } from './outbox.processor';

const OUTBOX_ID = '9e2a7c1b-3d4f-4a5b-8c6d-7e8f9a0b1c2d';

function setup() {
  const processor = { process: jest.fn(async () => 'sent' as const) };
  const maintenance = { prune: jest.fn(async () => ({ tokens: 1, outbox: 2, sessions: 3, mfaSetups: 0 })) };
  const licenses = { scan: jest.fn(async () => ({ licenseNotices: 4, partnerDigests: 1 })) };
  const sut = jobHandlers(
    processor as unknown as OutboxProcessor,
    maintenance as unknown as MaintenanceService,
    licenses,
  );
  return { sut, processor, maintenance, licenses };
}

describe('job handlers', () => {
  it('delivers a mail job and a text-message job with the processor, by outbox id', async () => {
    const { sut, processor, maintenance } = setup();

    await expect(
      runJob(sut, { queue: QueueName.Mail, name: MailTemplate.PasswordReset, data: { outboxId: OUTBOX_ID } }),
    ).resolves.toBe('sent');
    await runJob(sut, { queue: QueueName.Sms, name: SmsTemplate.VerificationCode, data: { outboxId: OUTBOX_ID } });

    expect(processor.process.mock.calls).toEqual([[OUTBOX_ID], [OUTBOX_ID]]);
    expect(maintenance.prune).not.toHaveBeenCalled();
  });

  it('runs the prune job with the maintenance service', async () => {
    const { sut, processor, maintenance } = setup();

    await expect(runJob(sut, { queue: QueueName.Maintenance, name: MaintenanceJob.Prune, data: {} })).resolves.toEqual({
      tokens: 1,
      outbox: 2,
      sessions: 3,
      mfaSetups: 0,
    });

    expect(maintenance.prune).toHaveBeenCalledTimes(1);
    expect(processor.process).not.toHaveBeenCalled();
  });

  it('runs the license expiry scan as of now', async () => {
    const { sut, licenses, maintenance } = setup();

    await expect(
      runJob(sut, { queue: QueueName.Maintenance, name: MaintenanceJob.LicenseNotices, data: {} }),
    ).resolves.toEqual({ licenseNotices: 4, partnerDigests: 1 });

    expect(licenses.scan.mock.calls).toEqual([[]]);
    expect(maintenance.prune).not.toHaveBeenCalled();
  });

  it('has a handler for every queue and every maintenance job', () => {
    expect(() => checkJobHandlers(setup().sut)).not.toThrow();
  });

  // The types already demand every handler; these are tables built around them (plain JS, a cast).
  it.each<[string, (h: JobHandlers) => unknown, string]>([
    [
      'a maintenance job without a handler',
      (h) => ({ ...h, [QueueName.Maintenance]: {} }),
      'maintenance job "prune" has no handler',
    ],
    [
      'a handler for a job no queue has',
      (h) => ({ ...h, [QueueName.Maintenance]: { ...h[QueueName.Maintenance], vacuum: async () => 0 } }),
      'a handler for "vacuum", which is no maintenance job',
    ],
    [
      'a delivery queue without a handler',
      (h) => ({ ...h, [QueueName.Sms]: undefined }),
      'the sms queue has no handler',
    ],
  ])('refuses to start with %s', (_label, change, problem) => {
    const handlers = change(setup().sut) as JobHandlers;

    expect(() => checkJobHandlers(handlers)).toThrow(`cannot start the job handlers: ${problem}`);
  });
});
