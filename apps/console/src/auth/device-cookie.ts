import type { CookieOptions, Response } from 'express';
import { DEVICE_COOKIE } from '@lmp/identity';

/**
 * Remembers, for a year or until the password changes, that this browser signed in to the
 * account (exempts it from IP limits).
 */
export function setDeviceCookie(res: Response, proof: string, base: CookieOptions): void {
  res.cookie(DEVICE_COOKIE, proof, { ...base, maxAge: 365 * 86_400_000 });
}
