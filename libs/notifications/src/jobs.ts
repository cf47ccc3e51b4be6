/**
 * Queue and job names are stored in Redis and in outbox rows: they are fixed strings, never
 * derived from class names. Renaming one strands the jobs already queued under the old name.
 */
export const QueueName = {
  Mail: 'mail',
  Sms: 'sms',
  Webhook: 'webhook',
  Maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** The queues that deliver outbox rows. */
export type DeliveryQueue = typeof QueueName.Mail | typeof QueueName.Sms | typeof QueueName.Webhook;
export const DELIVERY_QUEUES: readonly DeliveryQueue[] = [QueueName.Mail, QueueName.Sms, QueueName.Webhook];

/** Mail templates, which are also the job names on the mail queue. Do not rename. */
export const MailTemplate = {
  Invitation: 'invitation',
  PasswordReset: 'password-reset',
  PasswordChanged: 'password-changed',
  EmailVerify: 'email-verify',
  SignupAttempt: 'signup-attempt',
  AccountLocked: 'account-locked',
  EmailChangeVerify: 'email-change-verify',
  EmailChangeRequested: 'email-change-requested',
  AccountRecovery: 'account-recovery',
  RolePromoted: 'role-promoted',
  MfaCode: 'mfa-code',
  MfaChanged: 'mfa-changed',
  MfaDisabled: 'mfa-disabled',
  RecoveryCodesLow: 'recovery-codes-low',
  InvitationAttempt: 'invitation-attempt',
  ApiTokenCreated: 'api-token-created',
  ApiTokenRevoked: 'api-token-revoked',
  WebhookDisabled: 'webhook-disabled',
  LicenseExpiring: 'license-expiring',
  LicenseExpired: 'license-expired',
  LicenseDigest: 'license-digest',
  LicenseRenewed: 'license-renewed',
} as const;
export type MailTemplate = (typeof MailTemplate)[keyof typeof MailTemplate];

/** Text-message templates, the job names on the sms queue. Do not rename. */
export const SmsTemplate = {
  VerificationCode: 'verification-code',
} as const;
export type SmsTemplate = (typeof SmsTemplate)[keyof typeof SmsTemplate];

/** Jobs of the maintenance queue. Do not rename. */
export const MaintenanceJob = {
  Prune: 'prune',
  LicenseNotices: 'license-notices',
} as const;
export type MaintenanceJob = (typeof MaintenanceJob)[keyof typeof MaintenanceJob];

/** A job carries the outbox id only; the message itself lives in the outbox row. */
export interface OutboxJobData {
  outboxId: string;
}

/** A maintenance job carries nothing: it works on what the database holds when it runs. */
export type MaintenanceJobData = Record<string, never>;

export type MailJob = { queue: typeof QueueName.Mail; name: MailTemplate; data: OutboxJobData };
export type SmsJob = { queue: typeof QueueName.Sms; name: SmsTemplate; data: OutboxJobData };
/** A webhook job is named by the event type it carries (or `ping`). */
export type WebhookJob = { queue: typeof QueueName.Webhook; name: string; data: OutboxJobData };
/** A job that delivers one outbox row. Its id is the outbox id, so that a message is queued once. */
export type DeliveryJob = MailJob | SmsJob | WebhookJob;
export type MaintenanceJobItem = {
  queue: typeof QueueName.Maintenance;
  name: MaintenanceJob;
  data: MaintenanceJobData;
};

/** Every job of every queue, as plain data: what `JobQueue.enqueue` takes. */
export type JobItem = DeliveryJob | MaintenanceJobItem;

/** Maintenance jobs keep a short history: the next run is at most an hour away. */
export const MAINTENANCE_JOB_OPTIONS = { removeOnComplete: 100, removeOnFail: 100 } as const;

export const isMaintenanceJob = (name: string): name is MaintenanceJob =>
  (Object.values(MaintenanceJob) as string[]).includes(name);

/** The queue that carries an outbox row of this kind. */
export const queueOfKind = (kind: 'mail' | 'sms' | 'webhook'): DeliveryQueue =>
  kind === 'sms' ? QueueName.Sms : kind === 'webhook' ? QueueName.Webhook : QueueName.Mail;

/** The backoff type of delivery jobs: the delay is the one the processor stored with the row. */
export const OUTBOX_BACKOFF = 'outbox';

/**
 * Retry, retention and backoff defaults, in one place. Failed jobs are kept for operators. The
 * row counts the attempts and says when it is dead; the job's own count is a backstop.
 */
export const jobDefaults = (attempts: number, retryBaseMs: number) => ({
  // (the webhook queue sets its own attempts: one more than its retry schedule's waits)
  attempts,
  backoff: { type: OUTBOX_BACKOFF, delay: retryBaseMs },
  removeOnComplete: { age: 24 * 3600, count: 10000 },
  removeOnFail: false,
});

/** A killed worker's jobs are taken over after at most this long. */
export const WORKER_LOCK_MS = 10_000;
export const WORKER_STALLED_INTERVAL_MS = 5_000;

/**
 * BullMQ's backoff for delivery jobs: the delay the processor computed and stored with the row
 * (carried by the error), so that the job and the row's `due_at` agree.
 */
export function outboxBackoff(attemptsMade: number, err: unknown, retryBaseMs: number): number {
  const delayMs = (err as { delayMs?: unknown } | undefined)?.delayMs;
  return typeof delayMs === 'number' && delayMs >= 0 ? delayMs : backoffDelay(attemptsMade, retryBaseMs);
}

/** A killed worker's job may be taken over this often; the row's claim keeps it from being sent twice. */
export const WORKER_MAX_STALLED = 5;

/** Backoff before attempt n+1 (n >= 1) with jitter, for the in-process queue: the same curve as BullMQ's. */
export function backoffDelay(attemptsMade: number, baseMs = 2000, capMs = 5 * 60_000): number {
  const exp = Math.min(capMs, baseMs * 2 ** (attemptsMade - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}
