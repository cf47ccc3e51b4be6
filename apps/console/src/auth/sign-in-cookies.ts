import type { CookieOptions, Request } from 'express';
import { PENDING_COOKIE, PENDING_SESSION_MS, SESSION_COOKIE } from '@lmp/identity';
import { CookieJar, setDeviceCookie } from './device-cookie';

/** The cookie of a pending sign-in (password given, second step not yet), for the JSON API and the pages. */
export function setPendingCookie(res: CookieJar, pendingRaw: string, options: CookieOptions): void {
  res.cookie(PENDING_COOKIE, pendingRaw, { ...options, maxAge: PENDING_SESSION_MS });
}

export const pendingCookie = (req: Request): string | undefined =>
  (req.cookies as Record<string, string> | undefined)?.[PENDING_COOKIE];

/** A finished sign-in: the session, and the device proof that spares this browser the per-IP limits. */
export function setSignedInCookies(res: CookieJar, raw: string, deviceProof: string, options: CookieOptions): void {
  res.cookie(SESSION_COOKIE, raw, options);
  setDeviceCookie(res, deviceProof, options);
}
