import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditAction, AuditService } from '@lmp/audit';
import {
  Clock,
  DAY_MS,
  dayKey,
  daysLeft,
  dueThreshold,
  graceLeft,
  longDate,
  NOTICE_CATCH_UP_DAYS,
  parseNoticeDays,
  utcDay,
} from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { newId, TransactionRunner, Tx } from '@lmp/database';
import { MailTemplate } from './jobs';
import { DigestLine, LicenseNoticeRepository, NoticeCandidate, NoticeRecipient } from './license-notice.repository';
import { OutboxWriter } from './outbox.writer';
import { PartnerEvents } from './partner-events';
import { formatDigestItems } from './template-renderer';

/** What one scan wrote: notices (one per license and threshold) and partner digests. */
export interface LicenseScanResult {
  licenseNotices: number;
  partnerDigests: number;
}

interface PartnerTerms {
  name: string;
  days: number[];
  graceDays: number;
}

interface Due {
  license: NoticeCandidate;
  threshold: number;
  left: number;
  terms: PartnerTerms;
}

/** Licenses read per keyset page: memory stays flat whatever the number of licenses. */
export const SCAN_PAGE_SIZE = 500;

/** Digest rows are dropped past this many lines (the mail links to the full list). */
const DIGEST_MAX_LINES = 200;

/**
 * The expiry scan. For each license within the window it works out the notice due today (the
 * nearest threshold crossed, see dueThreshold) and, unless that notice or a later one is
 * recorded for the license's current expiry, records it and writes its mails in one transaction.
 * Then each partner with new notices gets at most one digest a day. Safe to run again and to
 * run on several workers at once: the database's unique keys decide what is sent.
 */
@Injectable()
export class LicenseNoticesService {
  private readonly logger = new Logger(LicenseNoticesService.name);

  constructor(
    private readonly repo: LicenseNoticeRepository,
    private readonly tx: TransactionRunner,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditService,
    private readonly events: PartnerEvents,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One scan as of `asOf` (now by default). */
  async scan(asOf: Date = this.clock.now()): Promise<LicenseScanResult> {
    const started = Date.now();
    const licenseNotices = await this.noticeLicenses(asOf);
    const partnerDigests = await this.sendDigests(asOf);
    this.logger.log(
      { asOf: dayKey(asOf), licenseNotices, partnerDigests, ms: Date.now() - started },
      'license expiry scan done',
    );
    return { licenseNotices, partnerDigests };
  }

  private async noticeLicenses(asOf: Date): Promise<number> {
    const partners = new Map<string, PartnerTerms>();
    for (const p of await this.repo.noticePartners()) {
      partners.set(p.id, { name: p.name, days: parseNoticeDays(p.days), graceDays: p.graceDays });
    }
    if (partners.size === 0) return 0;
    const terms = [...partners.values()];
    const ahead = Math.max(0, ...terms.flatMap((t) => t.days));
    const behind = Math.max(NOTICE_CATCH_UP_DAYS, ...terms.map((t) => t.graceDays));
    const day = utcDay(asOf).getTime();
    const from = new Date(day - behind * DAY_MS);
    const to = new Date(day + (ahead + 1) * DAY_MS);
    let sent = 0;
    let after: { expiresAt: Date; id: string } | null = null;
    for (;;) {
      const page = await this.repo.candidates(from, to, after, SCAN_PAGE_SIZE);
      if (page.length === 0) break;
      const last = page[page.length - 1];
      after = { expiresAt: last.expiresAt, id: last.id };
      sent += await this.noticePage(page, partners, asOf);
      if (page.length < SCAN_PAGE_SIZE) break;
    }
    return sent;
  }

  /** The notices due in one page, minus those recorded already; then one transaction for the rest. */
  private async noticePage(page: NoticeCandidate[], partners: Map<string, PartnerTerms>, asOf: Date): Promise<number> {
    const due: Due[] = [];
    for (const license of page) {
      const terms = partners.get(license.partnerId);
      if (!terms) continue;
      const left = daysLeft(license.expiresAt, asOf);
      const threshold = dueThreshold(left, terms.days, terms.graceDays);
      if (threshold !== null) due.push({ license, threshold, left, terms });
    }
    if (due.length === 0) return 0;
    // A notice recorded for this expiry at this threshold or a nearer one: nothing left to say.
    const recorded = await this.repo.noticesOf(due.map((d) => d.license.id));
    const done = new Set(recorded.map((n) => `${n.licenseId}|${n.expiresAt.getTime()}`));
    const nearest = new Map<string, number>();
    for (const n of recorded) {
      const key = `${n.licenseId}|${n.expiresAt.getTime()}`;
      nearest.set(key, Math.min(nearest.get(key) ?? Infinity, n.thresholdDays));
    }
    const open = due.filter((d) => {
      const key = `${d.license.id}|${d.license.expiresAt.getTime()}`;
      return !done.has(key) || (nearest.get(key) ?? Infinity) > d.threshold;
    });
    if (open.length === 0) return 0;
    const users = await this.repo.fullAccessUsers([...new Set(open.map((d) => d.license.customerId))]);
    const byCustomer = new Map<string, NoticeRecipient[]>();
    for (const u of users) byCustomer.set(u.ownerId, [...(byCustomer.get(u.ownerId) ?? []), u]);
    return this.tx.run(async (tx) => {
      let written = 0;
      for (const d of open) {
        if (await this.notify(tx, d, byCustomer.get(d.license.customerId) ?? [], asOf)) written++;
      }
      return written;
    });
  }

  /** Records one notice; when this call is the one that recorded it, writes its mails, audit and event. */
  private async notify(tx: Tx, d: Due, recipients: NoticeRecipient[], asOf: Date): Promise<boolean> {
    const { license, threshold, left, terms } = d;
    const now = this.clock.now();
    const recorded = await this.repo.insertNoticeOnce(tx.em, {
      id: newId(),
      licenseId: license.id,
      expiresAt: license.expiresAt,
      thresholdDays: threshold,
      partnerId: license.partnerId,
      customerId: license.customerId,
      digestId: null,
      createdAt: now,
    });
    if (!recorded) return false;
    const common = {
      companyName: license.companyName,
      partnerName: terms.name,
      product: license.product,
      seats: license.seats,
      expiresOn: longDate(license.expiresAt),
      licensesLink: `${this.config.publicUrl}/company/licenses`,
    };
    const graceDaysLeft = graceLeft(left, terms.graceDays);
    for (const r of recipients) {
      if (threshold === 0) {
        await this.outbox.mail(tx, MailTemplate.LicenseExpired, r.email, {
          firstName: r.firstName,
          ...common,
          graceDaysLeft,
        });
      } else {
        await this.outbox.mail(tx, MailTemplate.LicenseExpiring, r.email, {
          firstName: r.firstName,
          ...common,
          daysLeft: left,
        });
      }
    }
    const detail = {
      licenseId: license.id,
      product: license.product,
      expiresAt: license.expiresAt.toISOString(),
      thresholdDays: threshold,
      daysLeft: left,
      recipients: recipients.length,
    };
    await this.audit.record(tx.em, {
      action: AuditAction.LicenseExpiryNotice,
      partnerId: license.partnerId,
      customerId: license.customerId,
      detail: { ...detail, asOf: dayKey(asOf) },
    });
    await this.events.record(tx, {
      partnerId: license.partnerId,
      type: threshold === 0 ? 'license.expired' : 'license.expiring',
      data: {
        licenseId: license.id,
        customerId: license.customerId,
        product: license.product,
        seats: license.seats,
        expiresAt: license.expiresAt.toISOString(),
        thresholdDays: threshold,
        daysLeft: left,
        ...(threshold === 0 ? { graceDaysLeft } : {}),
      },
    });
    return true;
  }

  /** One digest per partner and day, listing every notice no digest has listed yet. */
  private async sendDigests(asOf: Date): Promise<number> {
    let sent = 0;
    for (const partnerId of await this.repo.partnersAwaitingDigest()) {
      const wrote = await this.tx
        .run(async (tx) => {
          const digestId = newId();
          const day = dayKey(asOf);
          const inserted = await this.repo.insertDigestOnce(tx.em, {
            id: digestId,
            partnerId,
            day,
            createdAt: this.clock.now(),
          });
          if (!inserted) return false;
          // Another scan listed them between the look and this transaction: roll the empty digest back.
          if ((await this.repo.claimForDigest(tx.em, partnerId, digestId)) === 0) throw new NothingToDigest();
          const lines = await this.repo.digestLines(tx.em, digestId);
          await this.writeDigest(tx, partnerId, lines, asOf);
          await this.audit.record(tx.em, {
            action: AuditAction.LicenseDigestSent,
            partnerId,
            detail: { day, licenses: lines.length },
          });
          return true;
        })
        .catch((err: unknown) => {
          if (err instanceof NothingToDigest) return false;
          throw err;
        });
      if (wrote) sent++;
    }
    return sent;
  }

  private async writeDigest(tx: Tx, partnerId: string, lines: DigestLine[], asOf: Date): Promise<void> {
    const admins = await this.repo.partnerAdmins(tx.em, partnerId);
    const partnerName = await this.repo.partnerName(tx.em, partnerId);
    const shown = lines.slice(0, DIGEST_MAX_LINES);
    const items = formatDigestItems(
      shown.map((l) => ({
        company: l.companyName,
        detail: `${l.product}, ${l.seats} seats, ${whenInWords(l.expiresAt, asOf)}`,
        link: `${this.config.publicUrl}/partner/customers/${l.customerId}`,
      })),
    );
    for (const admin of admins) {
      await this.outbox.mail(tx, MailTemplate.LicenseDigest, admin.email, {
        firstName: admin.firstName,
        partnerName,
        count: lines.length,
        items,
        licensesLink: `${this.config.publicUrl}/partner/licenses?status=expiring`,
      });
    }
  }
}

class NothingToDigest extends Error {}

function whenInWords(expiresAt: Date, asOf: Date): string {
  const left = daysLeft(expiresAt, asOf);
  const on = `ends ${longDate(expiresAt)}`;
  if (left === 0) return `${on} (today)`;
  if (left > 0) return `${on} (in ${left} ${left === 1 ? 'day' : 'days'})`;
  return `ended ${longDate(expiresAt)} (${-left} ${left === -1 ? 'day' : 'days'} ago)`;
}
