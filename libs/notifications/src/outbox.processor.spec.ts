import { Logger } from '@nestjs/common';
import { Clock, MetricsRegistry } from '@lmp/common';
import { AppConfig } from '@lmp/config';
import { ModuleRef } from '@nestjs/core';
import { OutboxMessage, TransactionRunner } from '@lmp/database';
import { OutboxSettlement } from './outbox-settlement';
import { WebhookDelivery } from './webhooks/webhook-delivery';
import { WebhookStore } from './webhooks/webhook-store';
import { MailTemplate, SmsTemplate } from './jobs';
import { MailTransport, OutgoingMail } from './mail-transport';
import {
  describeError,
  OutboxProcessor,
  PermanentDeliveryError,
  RetryLaterError,
  RowBusyError,
} from './outbox.processor';
import { OutboxRepository } from './outbox.repository';
import { TemplateRenderer } from './template-renderer';
import { DeliveryMetrics } from './delivery-metrics';
import { OutgoingSms, SmsRejectedError, SmsTransport } from './sms-transport';

/**
 * The settlement of a mail or text message that is no password reset to a partner's customer:
 * the plain marks on the row, which these specs check.
 */
function plainSettlement(outbox: unknown): [OutboxSettlement, WebhookDelivery] {
  const store = { resetMailOwner: async () => null } as unknown as WebhookStore;
  const webhooks = {} as WebhookDelivery;
  const settlement = new OutboxSettlement(
    outbox as OutboxRepository,
    store,
    webhooks,
    {} as TransactionRunner,
    {} as ModuleRef,
  );
  return [settlement, webhooks];
}

class FakeClock extends Clock {
  constructor(public current: Date) {
    super();
  }

  now(): Date {
    return this.current;
  }
}

class FakeSms extends SmsTransport {
  readonly send = jest.fn<Promise<void>, [OutgoingSms]>(async () => undefined);
}

class FakeTransport extends MailTransport {
  readonly send = jest.fn<Promise<void>, [OutgoingMail]>(async () => undefined);
  readonly close = jest.fn<Promise<void>, []>(async () => undefined);
}

const NOW = new Date('2030-03-01T09:30:00.000Z');
const OUTBOX_ID = '0b7d6f2e-4c1a-4e8b-9a53-2f6c1d7e8a90';
const LINK = 'https://lmp.example.com/reset-password?token=Abc_def-123';

function row(overrides: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id: OUTBOX_ID,
    kind: 'mail',
    template: MailTemplate.PasswordReset,
    recipient: 'ada@customer.example',
    payload: { firstName: 'Ada', link: LINK, expiresInMinutes: 60, partnerName: 'Northwind Reseller' },
    status: 'queued',
    attempts: 0,
    lastError: null,
    createdAt: NOW,
    updatedAt: NOW,
    sentAt: null,
    dueAt: NOW,
    ...overrides,
  };
}

describe(OutboxProcessor.name, () => {
  let outbox: {
    findById: jest.Mock;
    findFresh: jest.Mock;
    claim: jest.Mock;
    markSent: jest.Mock;
    markFailure: jest.Mock;
  };
  let transport: FakeTransport;
  let sms: FakeSms;
  let metrics: DeliveryMetrics;
  let renderer: TemplateRenderer;
  let sut: OutboxProcessor;

  beforeAll(() => {
    Logger.overrideLogger(false);
    renderer = new TemplateRenderer();
  });

  beforeEach(() => {
    outbox = {
      findById: jest.fn(async () => row()),
      findFresh: jest.fn(async () => row()),
      claim: jest.fn(async () => true),
      markSent: jest.fn(async () => undefined),
      markFailure: jest.fn(async () => undefined),
    };
    transport = new FakeTransport();
    sms = new FakeSms();
    metrics = new DeliveryMetrics(new MetricsRegistry());
    const config = {
      mailFrom: 'LMP <no-reply@lmp.example.com>',
      mailAttempts: 8,
      retryBaseMs: 1000,
      outboxLeaseMs: 60_000,
    } as AppConfig;
    sut = new OutboxProcessor(
      outbox as unknown as OutboxRepository,
      renderer,
      transport,
      sms,
      metrics,
      new FakeClock(NOW),
      config,
      ...plainSettlement(outbox),
    );
  });

  it('does nothing for a row that is already sent', async () => {
    outbox.findById.mockResolvedValue(row({ status: 'sent', payload: null, sentAt: NOW }));

    await expect(sut.process(OUTBOX_ID)).resolves.toBe('already-sent');

    expect(transport.send).not.toHaveBeenCalled();
    expect(outbox.markSent).not.toHaveBeenCalled();
    expect(outbox.markFailure).not.toHaveBeenCalled();
  });

  it('reports a missing row without sending or throwing', async () => {
    outbox.findById.mockResolvedValue(null);

    await expect(sut.process(OUTBOX_ID)).resolves.toBe('missing');

    expect(outbox.findById).toHaveBeenCalledWith(OUTBOX_ID);
    expect(transport.send).not.toHaveBeenCalled();
    expect(outbox.markFailure).not.toHaveBeenCalled();
  });

  it('renders, sends once and then marks the row sent', async () => {
    const result = await sut.process(OUTBOX_ID);

    expect(result).toBe('sent');
    expect(transport.send).toHaveBeenCalledTimes(1);
    const mail = transport.send.mock.calls[0][0];
    const expected = renderer.render(MailTemplate.PasswordReset, {
      firstName: 'Ada',
      link: LINK,
      expiresInMinutes: 60,
      partnerName: 'Northwind Reseller',
    });
    expect(mail).toEqual({
      subject: 'Reset your password',
      html: expected.html,
      text: expected.text,
      outboxId: OUTBOX_ID,
      to: 'ada@customer.example',
      from: 'LMP <no-reply@lmp.example.com>',
      links: [LINK],
    });
    expect(mail.text).toContain(LINK);
    expect(outbox.markSent).toHaveBeenCalledWith(OUTBOX_ID, 1, NOW);
    expect(outbox.markFailure).not.toHaveBeenCalled();
  });

  it('marks the row sent only after the transport accepted the message', async () => {
    const order: string[] = [];
    transport.send.mockImplementation(async () => {
      order.push('send');
    });
    outbox.markSent.mockImplementation(async () => {
      order.push('markSent');
    });
    outbox.claim.mockImplementation(async () => {
      order.push('claim');
      return true;
    });

    await sut.process(OUTBOX_ID);

    expect(order).toEqual(['claim', 'send', 'markSent']);
  });

  describe('two runs of one message', () => {
    const LEASE_END = new Date(NOW.getTime() + 30_000);

    it('claims the row for one attempt, held for the lease, before anything is sent', async () => {
      outbox.findById.mockResolvedValue(row({ status: 'failed', attempts: 2 }));

      await sut.process(OUTBOX_ID);

      expect(outbox.claim).toHaveBeenCalledWith(
        expect.objectContaining({ id: OUTBOX_ID, attempts: 2 }),
        NOW,
        new Date(NOW.getTime() + 60_000),
      );
      expect(outbox.markSent).toHaveBeenCalledWith(OUTBOX_ID, 3, NOW);
    });

    it("does not send a row another run holds: it waits for the end of that run's lease", async () => {
      outbox.findById.mockResolvedValue(row({ status: 'sending', attempts: 1, dueAt: LEASE_END }));

      await expect(sut.process(OUTBOX_ID)).rejects.toEqual(new RowBusyError(LEASE_END));

      expect(outbox.claim).not.toHaveBeenCalled();
      expect(transport.send).not.toHaveBeenCalled();
      expect(outbox.markFailure).not.toHaveBeenCalled();
    });

    it('does not send when another run claimed the row between the read and the claim', async () => {
      outbox.claim.mockResolvedValue(false);
      outbox.findFresh.mockResolvedValue(row({ status: 'sending', attempts: 1, dueAt: LEASE_END }));

      await expect(sut.process(OUTBOX_ID)).rejects.toBeInstanceOf(RowBusyError);

      expect(transport.send).not.toHaveBeenCalled();
    });

    it('does nothing when the other run sent it meanwhile', async () => {
      outbox.claim.mockResolvedValue(false);
      outbox.findFresh.mockResolvedValue(row({ status: 'sent', attempts: 1, dueAt: null }));

      await expect(sut.process(OUTBOX_ID)).resolves.toBe('already-sent');

      expect(transport.send).not.toHaveBeenCalled();
    });

    it('takes over a row whose run died (its lease ran out), as the next attempt', async () => {
      outbox.findById.mockResolvedValue(row({ status: 'sending', attempts: 1, dueAt: new Date(NOW.getTime() - 1) }));

      await expect(sut.process(OUTBOX_ID)).resolves.toBe('sent');

      expect(transport.send).toHaveBeenCalledTimes(1);
      expect(outbox.markSent).toHaveBeenCalledWith(OUTBOX_ID, 2, NOW);
    });

    it('gives a row up when the run of its last attempt died: dead, nothing sent', async () => {
      outbox.findById.mockResolvedValue(row({ status: 'sending', attempts: 8, dueAt: new Date(NOW.getTime() - 1) }));

      await expect(sut.process(OUTBOX_ID)).rejects.toBeInstanceOf(PermanentDeliveryError);

      expect(transport.send).not.toHaveBeenCalled();
      expect(outbox.markFailure).toHaveBeenCalledWith(
        OUTBOX_ID,
        'dead',
        9,
        expect.stringContaining('out of attempts'),
        NOW,
        null,
      );
    });

    it('does not send a row that is dead', async () => {
      outbox.findById.mockResolvedValue(row({ status: 'dead', attempts: 8, dueAt: null }));

      await expect(sut.process(OUTBOX_ID)).resolves.toBe('dead');

      expect(transport.send).not.toHaveBeenCalled();
    });
  });

  it('records the attempt number when a retry succeeds', async () => {
    outbox.findById.mockResolvedValue(row({ status: 'failed', attempts: 2 }));

    await expect(sut.process(OUTBOX_ID)).resolves.toBe('sent');

    expect(outbox.markSent).toHaveBeenCalledWith(OUTBOX_ID, 3, NOW);
  });

  describe('a transient error (connection reset)', () => {
    const transient = () => Object.assign(new Error('conn'), { code: 'ECONNRESET' });

    it('marks the row failed with its next attempt due, and throws that delay so the queue retries then', async () => {
      const err = transient();
      transport.send.mockRejectedValue(err);

      const failure = await sut.process(OUTBOX_ID).catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(RetryLaterError);
      expect(failure).toMatchObject({ message: 'ECONNRESET: conn', cause: err });
      const { delayMs } = failure as RetryLaterError;
      // The first retry: RETRY_BASE_MS with jitter, between half and all of it.
      expect(delayMs).toBeGreaterThanOrEqual(500);
      expect(delayMs).toBeLessThanOrEqual(1000);
      expect(outbox.markFailure).toHaveBeenCalledWith(
        OUTBOX_ID,
        'failed',
        1,
        'ECONNRESET: conn',
        NOW,
        new Date(NOW.getTime() + delayMs),
      );
      expect(outbox.markSent).not.toHaveBeenCalled();
    });

    it('marks the row dead on the final attempt, counted by the row', async () => {
      outbox.findById.mockResolvedValue(row({ status: 'failed', attempts: 7 }));
      transport.send.mockRejectedValue(transient());

      await expect(sut.process(OUTBOX_ID)).rejects.toBeInstanceOf(PermanentDeliveryError);

      expect(outbox.markFailure).toHaveBeenCalledWith(OUTBOX_ID, 'dead', 8, 'ECONNRESET: conn', NOW, null);
      expect(outbox.markSent).not.toHaveBeenCalled();
    });
  });

  it('gives up at once on an SMTP 550 (mailbox unavailable): dead, PermanentDeliveryError', async () => {
    transport.send.mockRejectedValue(
      Object.assign(new Error('Mailbox unavailable'), { responseCode: 550, response: '550 5.1.1 No such user' }),
    );

    const attempt = sut.process(OUTBOX_ID);

    await expect(attempt).rejects.toBeInstanceOf(PermanentDeliveryError);
    await expect(attempt).rejects.toThrow('SMTP 550: 550 5.1.1 No such user');
    expect(outbox.markFailure).toHaveBeenCalledTimes(1);
    expect(outbox.markFailure).toHaveBeenCalledWith(
      OUTBOX_ID,
      'dead',
      1,
      'SMTP 550: 550 5.1.1 No such user',
      NOW,
      null,
    );
  });

  it('retries an SMTP 4xx (temporary) reply', async () => {
    transport.send.mockRejectedValue(Object.assign(new Error('Try later'), { responseCode: 421 }));

    const attempt = sut.process(OUTBOX_ID);

    await expect(attempt).rejects.toBeInstanceOf(RetryLaterError);
    expect(outbox.markFailure).toHaveBeenCalledWith(
      OUTBOX_ID,
      'failed',
      1,
      expect.stringContaining('SMTP 421'),
      NOW,
      expect.any(Date),
    );
  });

  it('treats a message missing a prop as permanent: dead at once, nothing sent', async () => {
    outbox.findById.mockResolvedValue(row({ payload: { link: LINK, expiresInMinutes: 60, partnerName: null } }));

    const attempt = sut.process(OUTBOX_ID);

    await expect(attempt).rejects.toBeInstanceOf(PermanentDeliveryError);
    await expect(attempt).rejects.toThrow('stored password-reset mail cannot be read: props.firstName is missing');
    expect(transport.send).not.toHaveBeenCalled();
    expect(outbox.markFailure).toHaveBeenCalledWith(
      OUTBOX_ID,
      'dead',
      1,
      expect.stringContaining('firstName'),
      NOW,
      null,
    );
  });

  it('gives up on a stored message whose props do not fit its template: dead, the field named, nothing sent', async () => {
    // Rendered as it is, the number would go out as a link saying "42".
    outbox.findById.mockResolvedValue(
      row({ payload: { firstName: 'Ada', link: 42, expiresInMinutes: 60, partnerName: null } }),
    );

    const attempt = sut.process(OUTBOX_ID);

    await expect(attempt).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(transport.send).not.toHaveBeenCalled();
    expect(outbox.markFailure).toHaveBeenCalledWith(
      OUTBOX_ID,
      'dead',
      1,
      'stored password-reset mail cannot be read: props.link must be a string (got a number)',
      NOW,
      null,
    );
  });

  it('gives up on a row whose template is not one of its kind: dead, nothing sent', async () => {
    outbox.findById.mockResolvedValue(row({ template: SmsTemplate.VerificationCode }));

    await expect(sut.process(OUTBOX_ID)).rejects.toBeInstanceOf(PermanentDeliveryError);

    expect(transport.send).not.toHaveBeenCalled();
    expect(outbox.markFailure).toHaveBeenCalledWith(
      OUTBOX_ID,
      'dead',
      1,
      'stored verification-code mail cannot be read: template "verification-code" is not a mail template',
      NOW,
      null,
    );
  });

  it('treats a row without payload as permanent', async () => {
    outbox.findById.mockResolvedValue(row({ payload: null }));

    await expect(sut.process(OUTBOX_ID)).rejects.toBeInstanceOf(PermanentDeliveryError);

    expect(transport.send).not.toHaveBeenCalled();
    expect(outbox.markFailure).toHaveBeenCalledWith(OUTBOX_ID, 'dead', 1, 'message has no payload', NOW, null);
  });
});

describe('describeError', () => {
  it('keeps the SMTP reply code and response', () => {
    expect(describeError({ responseCode: 554, response: '554 rejected', message: 'x' })).toBe('SMTP 554: 554 rejected');
  });

  it('keeps a socket error code', () => {
    expect(describeError(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT: timed out');
  });

  it('caps a long message so it fits the last_error column', () => {
    expect(describeError(new Error('x'.repeat(1000))).length).toBeLessThanOrEqual(500);
  });

  it('describes a thrown non-Error value', () => {
    expect(describeError('boom')).toBe('boom');
  });
});

describe(`${OutboxProcessor.name} for text messages`, () => {
  const smsRow = (): OutboxMessage => ({
    id: OUTBOX_ID,
    kind: 'sms',
    template: SmsTemplate.VerificationCode,
    recipient: '+447700900123',
    payload: { code: '123456', minutes: 10 },
    status: 'queued',
    attempts: 0,
    lastError: null,
    createdAt: NOW,
    updatedAt: NOW,
    sentAt: null,
    dueAt: NOW,
  });

  function setup(send: () => Promise<void>) {
    const outbox = {
      findById: jest.fn(async () => smsRow()),
      claim: jest.fn(async () => true),
      markSent: jest.fn(async () => undefined),
      markFailure: jest.fn(async () => undefined),
    };
    const sms = new FakeSms();
    sms.send.mockImplementation(send);
    const metrics = new DeliveryMetrics(new MetricsRegistry());
    const sut = new OutboxProcessor(
      outbox as unknown as OutboxRepository,
      new TemplateRenderer(),
      new FakeTransport(),
      sms,
      metrics,
      new FakeClock(NOW),
      { mailFrom: 'x@y.z', mailAttempts: 5, retryBaseMs: 1000, outboxLeaseMs: 60_000 } as AppConfig,
      ...plainSettlement(outbox),
    );
    return { sut, outbox, sms, metrics };
  }

  beforeAll(() => Logger.overrideLogger(false));

  it('renders the text and sends it through the SMS transport, then counts it', async () => {
    const { sut, outbox, sms, metrics } = setup(async () => undefined);

    await expect(sut.process(OUTBOX_ID)).resolves.toBe('sent');

    expect(sms.send).toHaveBeenCalledWith({
      outboxId: OUTBOX_ID,
      to: '+447700900123',
      text: 'Your LMP code is 123456. It expires in 10 minutes. Never share it.',
    });
    expect(outbox.markSent).toHaveBeenCalledWith(OUTBOX_ID, 1, NOW);
    expect((await metrics.completed.get()).values).toEqual([{ labels: { queue: 'sms' }, value: 1 }]);
  });

  it('marks a gateway 4xx dead at once', async () => {
    const { sut, outbox, metrics } = setup(async () => {
      throw new SmsRejectedError(400, 'invalid number');
    });

    await expect(sut.process(OUTBOX_ID)).rejects.toBeInstanceOf(PermanentDeliveryError);

    expect(outbox.markFailure).toHaveBeenCalledWith(OUTBOX_ID, 'dead', 1, expect.stringContaining('400'), NOW, null);
    expect((await metrics.failed.get()).values).toEqual([{ labels: { queue: 'sms', final: 'true' }, value: 1 }]);
  });

  it('retries a gateway 503', async () => {
    const { sut, outbox } = setup(async () => {
      throw Object.assign(new Error('SMS gateway answered 503: busy'), { code: 'HTTP_503' });
    });

    await expect(sut.process(OUTBOX_ID)).rejects.toBeInstanceOf(RetryLaterError);

    expect(outbox.markFailure).toHaveBeenCalledWith(
      OUTBOX_ID,
      'failed',
      1,
      expect.stringContaining('503'),
      NOW,
      expect.any(Date),
    );
  });
});
