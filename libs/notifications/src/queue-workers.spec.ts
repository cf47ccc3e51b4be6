import { UnrecoverableError } from 'bullmq';
import { MailTemplate, MaintenanceJob, QueueName, SmsTemplate } from './jobs';
import { parseMaintenanceJob, parseOutboxJob } from './queue-workers';

const parseMail = (job: { name: string; data: unknown }) => parseOutboxJob(QueueName.Mail, job as never);

const OUTBOX_ID = '9e2a7c1b-3d4f-4a5b-8c6d-7e8f9a0b1c2d';

describe('parseOutboxJob on the mail queue', () => {
  it.each(Object.values(MailTemplate))('accepts a %s job and returns only the outbox id', (name) => {
    const sut = parseMail({ name, data: { outboxId: OUTBOX_ID, extra: 'ignored' } as never });

    expect(sut).toEqual({ outboxId: OUTBOX_ID });
  });

  it('accepts an upper-case UUID', () => {
    expect(parseMail({ name: 'invitation', data: { outboxId: OUTBOX_ID.toUpperCase() } })).toEqual({
      outboxId: OUTBOX_ID.toUpperCase(),
    });
  });

  it('refuses an unknown job name without retrying', () => {
    const parse = () => parseMail({ name: 'welcome', data: { outboxId: OUTBOX_ID } });

    expect(parse).toThrow(UnrecoverableError);
    expect(parse).toThrow('unknown mail job "welcome"');
  });

  it('refuses a class-derived name (job names are fixed strings)', () => {
    expect(() => parseMail({ name: 'PasswordReset', data: { outboxId: OUTBOX_ID } })).toThrow(UnrecoverableError);
  });

  it.each<[string, unknown]>([
    ['no data', null],
    ['no outboxId', {}],
    ['a numeric outboxId', { outboxId: 42 }],
    ['an empty outboxId', { outboxId: '' }],
    ['an outboxId that is not a UUID', { outboxId: 'not-a-uuid' }],
    ['a UUID with extra text', { outboxId: `${OUTBOX_ID}x` }],
  ])('refuses a job with %s without retrying', (_label, data) => {
    const parse = () => parseMail({ name: MailTemplate.PasswordReset, data });

    expect(parse).toThrow(UnrecoverableError);
    expect(parse).toThrow('mail job without a valid outboxId');
  });
});

describe('parseOutboxJob on the sms queue', () => {
  const id = '9e2a7c1b-3d4f-4a5b-8c6d-7e8f9a0b1c2d';

  it('accepts text-message templates', () => {
    expect(parseOutboxJob(QueueName.Sms, { name: SmsTemplate.VerificationCode, data: { outboxId: id } })).toEqual({
      outboxId: id,
    });
  });

  it('refuses a mail template on the sms queue', () => {
    expect(() => parseOutboxJob(QueueName.Sms, { name: MailTemplate.PasswordReset, data: { outboxId: id } })).toThrow(
      'unknown sms job "password-reset"',
    );
  });
});

describe('parseMaintenanceJob', () => {
  it('accepts the prune job', () => {
    expect(parseMaintenanceJob({ name: 'prune' })).toBe(MaintenanceJob.Prune);
  });

  it('refuses a job no maintenance handler has, without retrying', () => {
    const parse = () => parseMaintenanceJob({ name: 'vacuum' });

    expect(parse).toThrow(UnrecoverableError);
    expect(parse).toThrow('unknown maintenance job "vacuum"');
  });
});
