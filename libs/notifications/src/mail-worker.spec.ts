import { UnrecoverableError } from 'bullmq';
import { MailTemplate } from './jobs';
import { parseMailJob } from './mail-worker';

const OUTBOX_ID = '9e2a7c1b-3d4f-4a5b-8c6d-7e8f9a0b1c2d';

describe('parseMailJob', () => {
  it.each(Object.values(MailTemplate))('accepts a %s job and returns only the outbox id', (name) => {
    const sut = parseMailJob({ name, data: { outboxId: OUTBOX_ID, extra: 'ignored' } as never });

    expect(sut).toEqual({ outboxId: OUTBOX_ID });
  });

  it('accepts an upper-case UUID', () => {
    expect(parseMailJob({ name: 'invitation', data: { outboxId: OUTBOX_ID.toUpperCase() } })).toEqual({
      outboxId: OUTBOX_ID.toUpperCase(),
    });
  });

  it('refuses an unknown job name without retrying', () => {
    const parse = () => parseMailJob({ name: 'welcome', data: { outboxId: OUTBOX_ID } });

    expect(parse).toThrow(UnrecoverableError);
    expect(parse).toThrow('unknown mail job "welcome"');
  });

  it('refuses a class-derived name (job names are fixed strings)', () => {
    expect(() => parseMailJob({ name: 'PasswordReset', data: { outboxId: OUTBOX_ID } })).toThrow(UnrecoverableError);
  });

  it.each<[string, unknown]>([
    ['no data', null],
    ['no outboxId', {}],
    ['a numeric outboxId', { outboxId: 42 }],
    ['an empty outboxId', { outboxId: '' }],
    ['an outboxId that is not a UUID', { outboxId: 'not-a-uuid' }],
    ['a UUID with extra text', { outboxId: `${OUTBOX_ID}x` }],
  ])('refuses a job with %s without retrying', (_label, data) => {
    const parse = () => parseMailJob({ name: MailTemplate.PasswordReset, data });

    expect(parse).toThrow(UnrecoverableError);
    expect(parse).toThrow('mail job without a valid outboxId');
  });
});
