import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditAction, AuditService } from '@lmp/audit';
import { Clock, InvalidTokenProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { ConsentEvent, ConsentSource, ConsentTopic, EmailSubscription, newId, TransactionRunner } from '@lmp/database';
import { AuthService } from './auth.service';
import { UserRepository } from './user.repository';

export interface SubscriptionPrefs {
  newsletter: boolean;
  /** Special offers, promotions and surveys. */
  promotions: boolean;
}

export interface ConsentChange {
  topic: ConsentTopic;
  granted: boolean;
  source: ConsentSource;
  at: string;
}

const TOPICS: readonly ConsentTopic[] = ['newsletter', 'promotions'];

/**
 * Email preferences (opt-in: nothing until the user says yes) and their consent trail: every
 * change is a row with its time and source. Marketing mail carries a signed one-click link.
 */
@Injectable()
export class SubscriptionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get(userId: string): Promise<SubscriptionPrefs & { history: ConsentChange[] }> {
    const row = await this.dataSource.getRepository(EmailSubscription).findOneBy({ userId });
    const history = await this.dataSource
      .getRepository(ConsentEvent)
      .find({ where: { userId }, order: { at: 'DESC' }, take: 20 });
    return {
      newsletter: row?.newsletter ?? false,
      promotions: row?.promotions ?? false,
      history: history.map((e) => ({ topic: e.topic, granted: e.granted, source: e.source, at: e.at.toISOString() })),
    };
  }

  /** Saves the preferences; each topic that changed is added to the consent trail. */
  async set(userId: string, prefs: SubscriptionPrefs, source: ConsentSource, ip: string | null): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user) return;
    await this.tx.run(async ({ em }) => {
      const now = this.clock.now();
      const current = await em.findOneBy(EmailSubscription, { userId });
      const changed = TOPICS.filter((t) => (current?.[t] ?? false) !== prefs[t]);
      if (changed.length === 0) return;
      if (current) await em.update(EmailSubscription, { userId }, { ...prefs, updatedAt: now });
      else await em.insert(EmailSubscription, { userId, ...prefs, updatedAt: now });
      for (const topic of changed) {
        await em.insert(ConsentEvent, { id: newId(), userId, topic, granted: prefs[topic], source, at: now, ip });
      }
      await this.audit.record(em, {
        action: AuditAction.SubscriptionsChanged,
        actorUserId: source === 'unsubscribe_link' ? null : userId,
        targetUserId: userId,
        partnerId: await this.auth.partnerIdOf(user),
        customerId: user.customerId,
        ip,
        detail: { ...prefs, source },
      });
    });
  }

  /** The link every marketing mail carries; it needs no sign-in and does not expire. */
  unsubscribeUrl(userId: string): string {
    return `${this.config.publicUrl}/unsubscribe?token=${this.unsubscribeToken(userId)}`;
  }

  unsubscribeToken(userId: string): string {
    const id = Buffer.from(userId).toString('base64url');
    return `${id}.${this.sign(id)}`;
  }

  /** The user a link names, or null when it was not signed by us. */
  userOfToken(token: string): string | null {
    const [id, sig, extra] = token.split('.');
    if (!id || !sig || extra !== undefined || id.length > 100) return null;
    const expected = Buffer.from(this.sign(id));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    return Buffer.from(id, 'base64url').toString();
  }

  /** One click: no more marketing mail of any kind. Recorded in the consent trail. */
  async unsubscribe(token: string, ip: string | null): Promise<void> {
    const userId = this.userOfToken(token);
    if (!userId) throw new InvalidTokenProblem();
    await this.set(userId, { newsletter: false, promotions: false }, 'unsubscribe_link', ip);
  }

  private sign(id: string): string {
    return createHmac('sha256', this.config.sessionSecret).update(`unsubscribe:${id}`).digest('base64url');
  }
}
