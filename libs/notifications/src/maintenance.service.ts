import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { Clock } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { ActionToken, RateLimit, Session, TransactionRunner } from '@lmp/database';
import { OutboxRepository } from './outbox.repository';

export interface PruneResult {
  tokens: number;
  outbox: number;
  sessions: number;
}

/**
 * Deletes what has outlived its use: links expired for longer than the retention period,
 * outbox rows sent that long ago, and ended sessions. Audit events are kept.
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
    // Rate-limit windows that ended a day ago (blocks last minutes): nothing refers to them.
    await this.tx.write((em) => em.delete(RateLimit, { windowEndsAt: LessThan(new Date(now.getTime() - 86_400_000)) }));
    const result = {
      tokens: tokens.affected ?? 0,
      outbox: await this.outbox.pruneSent(cutoff),
      sessions: sessions.affected ?? 0,
    };
    this.logger.log({ ...result, retentionDays: this.config.retentionDays }, 'pruned old rows');
    return result;
  }
}
