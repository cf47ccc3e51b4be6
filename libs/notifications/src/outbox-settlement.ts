import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { EntityManager } from 'typeorm';
import { OutboxMessage, TransactionRunner, Tx } from '@lmp/database';
import { MailTemplate } from './jobs';
import { OutboxRepository, SentMark } from './outbox.repository';
import { OutboxWriter } from './outbox.writer';
import { PartnerEvents } from './partner-events';
import { AttemptOutcome, WebhookDelivery } from './webhooks/webhook-delivery';
import { WebhookStore } from './webhooks/webhook-store';

/** How an attempt ended, as the row records it. */
export type Settlement =
  | { status: 'sent'; webhook?: AttemptOutcome }
  | { status: 'failed' | 'dead'; reason: string; dueAt: Date | null; webhook?: AttemptOutcome };

/**
 * Marks the end of an attempt on its outbox row, together with what goes with it in the same
 * transaction: the attempt's record for a webhook (and the webhook disabled when it keeps
 * failing), the `password_reset.sent` / `password_reset.failed` event for a reset mail to a
 * partner's customer. A sent mail joins the batch of sent marks, whose transaction records the
 * `password_reset.sent` events of the batch's reset mails (one look-up per batch); anything else
 * is the single conditional update it always was.
 */
@Injectable()
export class OutboxSettlement implements OnModuleInit {
  // Looked up once the module is up: the writer reaches the queue, whose in-process form runs the processor.
  private writer?: OutboxWriter;
  private events?: PartnerEvents;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly store: WebhookStore,
    private readonly webhooks: WebhookDelivery,
    private readonly tx: TransactionRunner,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.writer = this.moduleRef.get(OutboxWriter, { strict: false });
    this.events = this.moduleRef.get(PartnerEvents, { strict: false });
    this.outbox.onSent((tx, sent) => this.resetsSent(tx, sent));
  }

  async settle(row: OutboxMessage, attempt: number, s: Settlement, now: Date): Promise<void> {
    if (s.status === 'sent' && row.kind !== 'webhook') {
      await this.outbox.markSent(row.id, attempt, now);
      return;
    }
    const resetMail = row.kind === 'mail' && row.template === MailTemplate.PasswordReset && s.status === 'dead';
    const owner = resetMail ? await this.store.resetMailOwner(row.id) : null;
    if (row.kind !== 'webhook' && !owner) {
      await this.mark(row.id, attempt, s, now);
      return;
    }
    await this.tx.run(async (tx) => {
      await this.mark(row.id, attempt, s, now, tx.em);
      if (row.kind === 'webhook' && s.webhook) await this.webhooks.settle(tx, row, attempt, s.webhook, this.writer!);
      if (owner) {
        const { partnerId, ...data } = owner;
        await this.events!.record(tx, {
          partnerId,
          type: 'password_reset.failed',
          data: { ...data, attempts: attempt },
        });
      }
    });
  }

  /** `password_reset.sent` for each reset mail to a partner's customer in a batch of sent marks. */
  private async resetsSent(tx: Tx, sent: SentMark[]): Promise<void> {
    const attempts = new Map(sent.map((m) => [m.id, m.attempts]));
    for (const { outboxId, partnerId, ...data } of await this.store.resetMailOwners(tx.em, [...attempts.keys()])) {
      const event = { ...data, attempts: attempts.get(outboxId) ?? 1 };
      await this.events!.record(tx, { partnerId, type: 'password_reset.sent', data: event });
    }
  }

  private mark(id: string, attempt: number, s: Settlement, now: Date, em?: EntityManager): Promise<void> {
    if (s.status === 'sent')
      return em ? this.outbox.markSent(id, attempt, now, em) : this.outbox.markSent(id, attempt, now);
    return em
      ? this.outbox.markFailure(id, s.status, attempt, s.reason, now, s.dueAt, em)
      : this.outbox.markFailure(id, s.status, attempt, s.reason, now, s.dueAt);
  }
}
