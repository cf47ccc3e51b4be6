import { Injectable } from '@nestjs/common';
import { RateLimitedProblem } from '@lmp/common';
import { RateLimitStore } from './rate-limit.store';
import { normalizeEmail } from './user.repository';

/**
 * Emails carrying a link (password reset, invitation, address verification, email change) to
 * one address: at most this many per window, every kind and every sender together. A person
 * who asks again a few times still gets a link (the newest replaces the older ones); a flood of
 * one mailbox, from however many addresses or partners, stops.
 */
export const LINK_MAILS_PER_RECIPIENT = { limit: 5, windowMs: 15 * 60_000 };

/** The per-recipient limit of link emails, counted in the shared rate-limit store. */
@Injectable()
export class LinkMailLimit {
  constructor(private readonly limits: RateLimitStore) {}

  /**
   * Counts one link email to `email` (in one atomic step of the store, before the mail is
   * written) and returns the seconds to wait before the next may go: 0 when this one may go.
   */
  async take(email: string): Promise<number> {
    const hit = await this.limits.increment(
      normalizeEmail(email),
      LINK_MAILS_PER_RECIPIENT.windowMs,
      LINK_MAILS_PER_RECIPIENT.limit,
      LINK_MAILS_PER_RECIPIENT.windowMs,
      'link-mail',
    );
    return hit.isBlocked ? Math.max(1, hit.timeToBlockExpire) : 0;
  }

  /** Like `take`, for callers who answer a refusal: 429 saying why and when to try again. */
  async require(email: string): Promise<void> {
    const wait = await this.take(email);
    if (wait > 0) throw new RateLimitedProblem(wait, linkMailLimitDetail(email, wait));
  }
}

export function linkMailLimitDetail(email: string, retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return (
    `${normalizeEmail(email)} has been sent ${LINK_MAILS_PER_RECIPIENT.limit} emails with a link in the last ` +
    `${LINK_MAILS_PER_RECIPIENT.windowMs / 60_000} minutes, the most one address gets, so that its mailbox is ` +
    `not flooded. The newest link still works. Try again in ${minutes} minute(s).`
  );
}
