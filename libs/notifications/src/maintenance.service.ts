import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, IsNull, LessThan } from 'typeorm';
import { Clock } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { ActionToken, MfaMethod, RateLimit, Session, TransactionRunner, WebhookAttempt } from '@lmp/database';
import { OutboxRepository } from './outbox.repository';

export interface PruneResult {
  tokens: number;
  outbox: number;
  sessions: number;
  /** Two-factor methods whose set-up was never confirmed, a day on. */
  mfaSetups: number;
}

/** An unconfirmed two-factor set-up is dropped this long after it began. */
export const MFA_SETUP_TTL_MS = 86_400_000;

/**
 * Deletes what has outlived its use: links expired for longer than the retention period,
 * outbox rows sent and webhook attempts made that long ago, ended sessions and abandoned 2FA set-ups. Audit events are kept.
 */
@Injectable()
export class MaintenanceService {
  private readonly logger = new Logger(MaintenanceService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly outbox: OutboxRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async prune(): Promise<PruneResult> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - this.config.retentionDays * 86_400_000);
    const tokens = await this.tx.write((em) => em.delete(ActionToken, { expiresAt: LessThan(cutoff) }));
    const sessions = await this.tx.write((em) => em.delete(Session, { expiresAt: LessThan(now) }));
    const setups = await this.tx.write((em) =>
      em.delete(MfaMethod, { confirmedAt: IsNull(), createdAt: LessThan(new Date(now.getTime() - MFA_SETUP_TTL_MS)) }),
    );
    // Rate-limit windows that ended a day ago (blocks last minutes): nothing refers to them.
    await this.tx.write((em) => em.delete(RateLimit, { windowEndsAt: LessThan(new Date(now.getTime() - 86_400_000)) }));
    // The deliveries list of a webhook keeps as long as sent messages do.
    const attempts = await this.tx.write((em) => em.delete(WebhookAttempt, { createdAt: LessThan(cutoff) }));
    const result = {
      tokens: tokens.affected ?? 0,
      outbox: await this.outbox.pruneSent(cutoff),
      sessions: sessions.affected ?? 0,
      mfaSetups: setups.affected ?? 0,
    };
    this.logger.log(
      { ...result, webhookAttempts: attempts.affected ?? 0, retentionDays: this.config.retentionDays },
      'pruned old rows',
    );
    return result;
  }
}
