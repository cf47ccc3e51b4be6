import type { CookieOptions } from 'express';
import { DEVICE_COOKIE } from '@lmp/identity';

/** Where a cookie is set: Express's response (the JSON API), or a page's PageCookies. */
export interface CookieJar {
  cookie(name: string, value: string, options: CookieOptions): unknown;
}

/**
 * Remembers, for a year or until the password changes, that this browser signed in to the
 * account (exempts it from IP limits).
 */
export function setDeviceCookie(res: CookieJar, proof: string, base: CookieOptions): void {
  res.cookie(DEVICE_COOKIE, proof, { ...base, maxAge: 365 * 86_400_000 });
}
