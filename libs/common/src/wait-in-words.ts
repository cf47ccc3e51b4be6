/**
 * A wait as people say it: "30 seconds", "1 minute", "15 minutes", "2 hours". Rounded up, so that
 * whoever tries again after that long is let through.
 */
export function waitInWords(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (s < 60) return unit(s, 'second');
  const minutes = Math.ceil(s / 60);
  if (minutes < 120) return unit(minutes, 'minute');
  return unit(Math.ceil(minutes / 60), 'hour');
}

/** The answer to a request refused by a per-client limit: when to try again, in words. */
export const tooManyRequests = (retryAfterSeconds: number): string =>
  `Too many requests. Try again in ${waitInWords(retryAfterSeconds)}.`;
