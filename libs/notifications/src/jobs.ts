/**
 * Queue and job names are stored in Redis and in outbox rows: they are fixed strings, never
 * derived from class names. Renaming one strands the jobs already queued under the old name.
 */
export const QueueName = {
  Mail: 'mail',
  Sms: 'sms',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Mail templates, which are also the job names on the mail queue. Do not rename. */
export const MailTemplate = {
  Invitation: 'invitation',
  PasswordReset: 'password-reset',
  PasswordChanged: 'password-changed',
} as const;
export type MailTemplate = (typeof MailTemplate)[keyof typeof MailTemplate];

/** A job carries the outbox id only; the message itself lives in the outbox row. */
export interface OutboxJobData {
  outboxId: string;
}

export type JobItem = { queue: typeof QueueName.Mail; name: MailTemplate; data: OutboxJobData };

/** Retry, retention and backoff defaults, in one place. Failed jobs are kept for operators. */
export const jobDefaults = (attempts: number) => ({
  attempts,
  backoff: { type: 'exponential' as const, delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 10000 },
  removeOnFail: false,
});

/** Backoff before attempt n+1 (n >= 1) with full jitter, for the in-process queue. */
export function backoffDelay(attemptsMade: number, baseMs = 2000, capMs = 5 * 60_000): number {
  const exp = Math.min(capMs, baseMs * 2 ** (attemptsMade - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}
