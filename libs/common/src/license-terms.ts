/**
 * The calendar of license expiry notices, as pure functions: days are UTC calendar days, so a
 * scan run at any hour of a day decides the same as one run at midnight.
 */
export const DAY_MS = 86_400_000;

/** The thresholds a partner starts with: 30, 7 and 1 days before the expiry (plus the expiry day). */
export const DEFAULT_NOTICE_DAYS: readonly number[] = [30, 7, 1];
export const MIN_NOTICE_DAY = 1;
export const MAX_NOTICE_DAY = 365;
export const MAX_NOTICE_THRESHOLDS = 6;
export const MAX_GRACE_DAYS = 90;
/**
 * A scanner that was down catches up with the expiry-day notice of a license that expired at
 * most this many days ago (or within its grace period, if longer); older ones are left alone.
 */
export const NOTICE_CATCH_UP_DAYS = 7;

/** Midnight UTC of the day `d` falls on. */
export function utcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** `YYYY-MM-DD` of the UTC day. */
export function dayKey(d: Date): string {
  return utcDay(d).toISOString().slice(0, 10);
}

/** Calendar days from `asOf`'s day to the expiry's day: 0 on the expiry day, negative after it. */
export function daysLeft(expiresAt: Date, asOf: Date): number {
  return Math.round((utcDay(expiresAt).getTime() - utcDay(asOf).getTime()) / DAY_MS);
}

/**
 * Checks a list of thresholds (whole days before the expiry) and returns it sorted, largest
 * first, without repeats; or a message saying what is wrong.
 */
export function checkNoticeDays(value: unknown): { days: number[] } | { error: string } {
  if (!Array.isArray(value)) return { error: 'must be a list of whole days' };
  if (value.length > MAX_NOTICE_THRESHOLDS) return { error: `must have at most ${MAX_NOTICE_THRESHOLDS} days` };
  for (const d of value) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < MIN_NOTICE_DAY || d > MAX_NOTICE_DAY) {
      return { error: `each must be a whole number of days from ${MIN_NOTICE_DAY} to ${MAX_NOTICE_DAY}` };
    }
  }
  return { days: [...new Set(value as number[])].sort((a, b) => b - a) };
}

/** The stored form ("30,7,1") back to a list; anything unreadable is dropped. */
export function parseNoticeDays(stored: string): number[] {
  const list = stored
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n >= MIN_NOTICE_DAY && n <= MAX_NOTICE_DAY);
  return [...new Set(list)].sort((a, b) => b - a);
}

export const formatNoticeDays = (days: readonly number[]): string => days.join(',');

/**
 * The threshold whose notice is due for a license `left` days from its expiry, or null. It is the
 * nearest threshold crossed: a scanner that missed days sends the 7-day notice to a license now 2
 * days away (the 1-day one is not due yet), never the 30-day one that a later one has passed. The
 * expiry day (0) is always a threshold; it is still sent up to NOTICE_CATCH_UP_DAYS (or the grace
 * period) after it.
 */
export function dueThreshold(left: number, thresholds: readonly number[], graceDays = 0): number | null {
  if (left < -Math.max(NOTICE_CATCH_UP_DAYS, graceDays)) return null;
  const crossed = [...thresholds, 0].filter((t) => t >= left);
  return crossed.length ? Math.min(...crossed) : null;
}

/** Days of grace left after the expiry (0 when none, or when it is over); `left` as daysLeft. */
export function graceLeft(left: number, graceDays: number): number {
  return left <= 0 ? Math.max(0, graceDays + left) : graceDays;
}

/**
 * A renewal's new expiry for an ISO 8601 period (`P1Y`, `P6M`, `P2W`, `P30D`, or combined like
 * `P1Y6M`): counted from the old expiry, or from `now` when the license has already expired, so
 * a late renewal neither loses paid time nor backdates it. Null when the period cannot be read.
 */
export function renewedExpiry(expiresAt: Date, period: string, now: Date): Date | null {
  const m = /^P(?:(\d{1,2})Y)?(?:(\d{1,3})M)?(?:(\d{1,3})W)?(?:(\d{1,4})D)?$/.exec(period);
  if (!m || period === 'P') return null;
  const [years, months, weeks, days] = m.slice(1).map((v) => Number(v ?? 0));
  if (years + months + weeks + days === 0) return null;
  const from = new Date(Math.max(expiresAt.getTime(), now.getTime()));
  const out = new Date(from);
  out.setUTCMonth(out.getUTCMonth() + years * 12 + months);
  // A month later than 31 January is the end of February, not 3 March.
  if (out.getUTCDate() !== from.getUTCDate()) out.setUTCDate(0);
  out.setUTCDate(out.getUTCDate() + weeks * 7 + days);
  return out;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A day as people read it in mail: "8 March 2030" (UTC). */
export function longDate(d: Date): string {
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}
