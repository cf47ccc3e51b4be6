import type { CookieOptions } from 'express';
import { SignInStart } from '@lmp/identity';
import { urlWith } from '../web/format';
import { setPendingCookie, setSignedInCookies } from './sign-in-cookies';
import { CookieJar } from './device-cookie';

/**
 * The cookies after a correct password (on the sign-in page, or after a password link), and
 * where to go: the page asked for with a full session, or the second step (saying `notice`
 * there) with a pending one.
 */
export function afterPassword(
  cookies: CookieJar,
  start: SignInStart,
  next: string,
  options: CookieOptions,
  deviceProof: () => string,
  notice?: string,
): string {
  if (start.mfaRequired) {
    setPendingCookie(cookies, start.pendingRaw, options);
    return urlWith('/login/mfa', { next: next === '/' ? undefined : next, notice });
  }
  setSignedInCookies(cookies, start.raw, deviceProof(), options);
  return next;
}
