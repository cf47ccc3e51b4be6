import { JobItem, MaintenanceJob, OutboxJobData, QueueName } from './jobs';
import type { LicenseNoticesService } from './license-notices.service';
import type { MaintenanceService } from './maintenance.service';
import type { OutboxProcessor, ProcessResult } from './outbox.processor';

/**
 * What runs the jobs of each queue. Every delivery job runs the processor (the outbox row, not
 * the job's name, says what to send); maintenance jobs are run by name. A queue or a job name
 * without a handler does not compile.
 */
export interface JobHandlers {
  [QueueName.Mail]: (data: OutboxJobData) => Promise<ProcessResult>;
  [QueueName.Sms]: (data: OutboxJobData) => Promise<ProcessResult>;
  [QueueName.Webhook]: (data: OutboxJobData) => Promise<ProcessResult>;
  [QueueName.Maintenance]: { [N in MaintenanceJob]: () => Promise<unknown> };
}

export function jobHandlers(
  processor: OutboxProcessor,
  maintenance: MaintenanceService,
  licenseNotices: Pick<LicenseNoticesService, 'scan'>,
): JobHandlers {
  const deliver = ({ outboxId }: OutboxJobData) => processor.process(outboxId);
  return {
    [QueueName.Mail]: deliver,
    [QueueName.Sms]: deliver,
    [QueueName.Webhook]: deliver,
    [QueueName.Maintenance]: {
      [MaintenanceJob.Prune]: () => maintenance.prune(),
      [MaintenanceJob.LicenseNotices]: () => licenseNotices.scan(),
    },
  };
}

/**
 * Refuses to start a process whose handlers miss a queue or a job, or name a job that no queue
 * has: a job queued under that name would otherwise wait, or fail, with nobody told.
 */
export function checkJobHandlers(handlers: JobHandlers): void {
  const problems: string[] = [];
  for (const queue of [QueueName.Mail, QueueName.Sms, QueueName.Webhook]) {
    if (typeof handlers[queue] !== 'function') problems.push(`the ${queue} queue has no handler`);
  }
  const byName: Record<string, unknown> = handlers[QueueName.Maintenance] ?? {};
  for (const name of Object.values(MaintenanceJob)) {
    if (typeof byName[name] !== 'function') problems.push(`maintenance job "${name}" has no handler`);
  }
  const known = new Set<string>(Object.values(MaintenanceJob));
  for (const name of Object.keys(byName)) {
    if (!known.has(name)) problems.push(`a handler for "${name}", which is no maintenance job`);
  }
  if (problems.length) throw new Error(`cannot start the job handlers: ${problems.join('; ')}`);
}

/** Runs one job with its handler. */
export function runJob(handlers: JobHandlers, item: JobItem): Promise<unknown> {
  switch (item.queue) {
    case QueueName.Mail:
      return handlers[QueueName.Mail](item.data);
    case QueueName.Sms:
      return handlers[QueueName.Sms](item.data);
    case QueueName.Webhook:
      return handlers[QueueName.Webhook](item.data);
    case QueueName.Maintenance:
      return handlers[QueueName.Maintenance][item.name]();
  }
}
