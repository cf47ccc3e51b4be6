import { Tx } from '@lmp/database';
import { MailTemplate, SmsTemplate } from './jobs';
import { EnvelopeError, MailEnvelope, parseEnvelope, StoredMessage } from './outbox-envelope';
import { OutboxWriter } from './outbox.writer';
import { TemplateRenderer } from './template-renderer';
import { MAIL_SAMPLES as SAMPLES } from './testing';

const LINK = 'https://lmp.example.com/reset-password?token=Abc_def-123';
const TO = 'ada@customer.example';

const WEBHOOK_ID = '0b9c6f4e-8d3a-4c57-9a0e-2f1d3b5a7c91';

const stored = (overrides: Partial<StoredMessage> = {}): StoredMessage => ({
  kind: 'mail',
  template: MailTemplate.PasswordReset,
  recipient: TO,
  payload: { ...SAMPLES[MailTemplate.PasswordReset] },
  ...overrides,
});

/** The field a refused message names, and the whole reason. */
function refusal(row: StoredMessage): { field: string; message: string } {
  try {
    parseEnvelope(row);
  } catch (err) {
    if (err instanceof EnvelopeError) return { field: err.field, message: err.message };
    throw err;
  }
  throw new Error('the message was read, not refused');
}

describe('parseEnvelope', () => {
  it.each(Object.values(MailTemplate))('reads a stored %s mail back into the envelope it was written from', (t) => {
    // The row's payload went through JSON, as it does in the database column.
    const payload: unknown = JSON.parse(JSON.stringify(SAMPLES[t]));

    expect(parseEnvelope({ kind: 'mail', template: t, recipient: TO, payload })).toEqual({
      kind: 'mail',
      template: t,
      to: TO,
      props: SAMPLES[t],
    });
  });

  it('reads a stored webhook event (the event id and its JSON body)', () => {
    const body = JSON.stringify({ id: 'e1', type: 'customer.created', occurredAt: '2030-03-01T09:30:00.000Z' });
    const row = { kind: 'webhook', template: 'customer.created', recipient: WEBHOOK_ID };

    expect(parseEnvelope({ ...row, payload: { eventId: 'e1', body } })).toEqual({
      kind: 'webhook',
      template: 'customer.created',
      to: WEBHOOK_ID,
      props: { eventId: 'e1', body },
    });
  });

  it('refuses a webhook event whose body is not text', () => {
    const row = { kind: 'webhook', template: 'ping', recipient: WEBHOOK_ID };

    expect(refusal({ ...row, payload: { eventId: 'e1', body: { id: 'e1' } } })).toEqual({
      field: 'props.body',
      message: 'props.body must be a string (got an object)',
    });
  });

  it('reads a stored verification-code text message', () => {
    const row = { kind: 'sms', template: SmsTemplate.VerificationCode, recipient: '+447700900123' };

    expect(parseEnvelope({ ...row, payload: { code: '123456', minutes: 10 } })).toEqual({
      kind: 'sms',
      template: SmsTemplate.VerificationCode,
      to: '+447700900123',
      props: { code: '123456', minutes: 10 },
    });
  });

  it('accepts null where the template allows it, and a value there too', () => {
    const withoutPartner = { ...SAMPLES[MailTemplate.PasswordReset], partnerName: null };

    expect(parseEnvelope(stored({ payload: withoutPartner })).props).toEqual(withoutPartner);
    expect(parseEnvelope(stored()).props).toEqual(SAMPLES[MailTemplate.PasswordReset]);
  });

  it('drops a stored prop the template no longer has, so a message written before still goes out', () => {
    const envelope = parseEnvelope(stored({ payload: { ...SAMPLES[MailTemplate.PasswordReset], retired: 'x' } }));

    expect(envelope.props).toEqual(SAMPLES[MailTemplate.PasswordReset]);
  });

  describe('refuses a message that does not fit its template, naming the field', () => {
    const resetProps = SAMPLES[MailTemplate.PasswordReset];

    it.each<[string, Partial<StoredMessage>, string, string]>([
      [
        'a prop missing',
        { payload: { link: LINK, expiresInMinutes: 60, partnerName: null } },
        'props.firstName',
        'props.firstName is missing',
      ],
      [
        'a number where a string belongs',
        { payload: { ...resetProps, link: 42 } },
        'props.link',
        'props.link must be a string (got a number)',
      ],
      [
        'a string where a number belongs',
        { payload: { ...resetProps, expiresInMinutes: '60' } },
        'props.expiresInMinutes',
        'props.expiresInMinutes must be a number (got a string)',
      ],
      [
        'null where the template needs a value',
        { payload: { ...resetProps, firstName: null } },
        'props.firstName',
        'props.firstName must be a string (got null)',
      ],
      [
        'an object where a nullable string belongs',
        { payload: { ...resetProps, partnerName: { name: 'x' } } },
        'props.partnerName',
        'props.partnerName must be a string or null (got an object)',
      ],
      ['no props at all', { payload: null }, 'props', 'props must be an object (got null)'],
      ['a list for props', { payload: [] }, 'props', 'props must be an object (got a list)'],
      ['an empty recipient', { recipient: ' ' }, 'to', 'to must be a non-empty string'],
      ['an unknown template', { template: 'welcome' }, 'template', 'template "welcome" is not a mail template'],
      [
        'a mail template stored as a text message',
        { kind: 'sms' },
        'template',
        'template "password-reset" is not a text-message template',
      ],
      [
        'a text-message template stored as mail',
        { template: SmsTemplate.VerificationCode },
        'template',
        'template "verification-code" is not a mail template',
      ],
      ['an unknown kind', { kind: 'fax' }, 'kind', 'kind "fax" is neither mail, sms nor webhook'],
      [
        'a mail template stored as a webhook event',
        { kind: 'webhook' },
        'template',
        'template "password-reset" is not a webhook event type',
      ],
    ])('%s', (_label, overrides, field, message) => {
      expect(refusal(stored(overrides))).toEqual({ field, message });
    });

    it('a text message whose code is a number', () => {
      const row = { kind: 'sms', template: SmsTemplate.VerificationCode, recipient: '+447700900123' };

      expect(refusal({ ...row, payload: { code: 123456, minutes: 10 } })).toEqual({
        field: 'props.code',
        message: 'props.code must be a string (got a number)',
      });
    });
  });
});

/**
 * Compile-time checks: each `@ts-expect-error` line must fail to compile, or the type check
 * (`npm run typecheck`, part of `npm test`) fails on the unused directive. These functions are
 * never called; the test only keeps them in the build.
 */
describe('the props type of a template, at both ends', () => {
  it('does not compile a writer call whose props are not the template’s', () => {
    const hours = { firstName: 'A', link: LINK, expiresInHours: 1, partnerName: null };
    const writes = (outbox: OutboxWriter, tx: Tx) => [
      // @ts-expect-error a password-reset mail has expiresInMinutes, not expiresInHours
      outbox.mail(tx, MailTemplate.PasswordReset, TO, hours),
      // @ts-expect-error an invitation needs companyName and partnerName
      outbox.mail(tx, MailTemplate.Invitation, TO, { firstName: 'A', link: LINK, expiresInHours: 72 }),
      // @ts-expect-error another template's props
      outbox.mail(tx, MailTemplate.Invitation, TO, SAMPLES[MailTemplate.PasswordReset]),
      // @ts-expect-error a text-message code is a string (its leading zeros count)
      outbox.sms(tx, SmsTemplate.VerificationCode, '+447700900123', { code: 42117, minutes: 10 }),
      outbox.mail(tx, MailTemplate.Invitation, TO, SAMPLES[MailTemplate.Invitation]),
    ];

    expect(writes).toBeInstanceOf(Function);
  });

  it('does not compile an envelope whose template and props disagree', () => {
    const envelopes = (): MailEnvelope[] => [
      // @ts-expect-error the props of a password reset under the invitation template
      { kind: 'mail', template: MailTemplate.Invitation, to: TO, props: SAMPLES[MailTemplate.PasswordReset] },
      { kind: 'mail', template: MailTemplate.Invitation, to: TO, props: SAMPLES[MailTemplate.Invitation] },
    ];

    expect(envelopes).toBeInstanceOf(Function);
  });

  it('gives the processor the template’s own props type once the message is read', () => {
    const reads = (row: StoredMessage, renderer: TemplateRenderer): number | undefined => {
      const envelope = parseEnvelope(row);
      if (envelope.kind !== 'mail') return undefined;
      renderer.renderMail(envelope);
      if (envelope.template !== MailTemplate.PasswordReset) return undefined;
      // @ts-expect-error a password-reset mail has no expiresInHours
      void envelope.props.expiresInHours;
      return envelope.props.expiresInMinutes;
    };

    expect(reads).toBeInstanceOf(Function);
  });
});
