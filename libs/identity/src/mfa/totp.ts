import { randomBytes } from 'node:crypto';
import * as speakeasy from 'speakeasy';

/** RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Codes of the step before and after are accepted too (clock drift, typing time). */
export const TOTP_WINDOW = 1;
const BASE32 = /^[A-Z2-7]{16,}$/;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, without padding (authenticator apps and otpauth URLs take it so). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * 20 random bytes (160 bits, as RFC 4226 recommends) in base32 for typing into an app.
 * speakeasy.generateSecret picks 20 printable characters instead, about 127 bits of key;
 * its secrets still verify, since a secret is only ever read as base32.
 */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

export function otpauthUrl(secret: string, account: string, issuer = 'LMP'): string {
  return speakeasy.otpauthURL({
    secret,
    encoding: 'base32',
    label: `${issuer}:${account}`,
    issuer,
    algorithm: 'sha1',
    digits: TOTP_DIGITS,
    period: TOTP_STEP_SECONDS,
  });
}

/** The code of a secret at a time: what an authenticator app shows. */
export function totpCode(secret: string, at: Date): string {
  return speakeasy.totp({ secret, encoding: 'base32', time: Math.floor(at.getTime() / 1000), step: TOTP_STEP_SECONDS });
}

/**
 * The time step a code belongs to, or null when it is not valid now. A code is accepted once:
 * a step at or before `lastUsedStep` is refused, so a code seen over a shoulder or replayed
 * from a log is worth nothing. An empty or malformed secret never verifies (speakeasy would
 * compute codes for an empty key).
 */
export function verifyTotp(secret: string, code: string, at: Date, lastUsedStep: number | null): number | null {
  if (!BASE32.test(secret)) return null;
  if (!/^\d{6}$/.test(code)) return null;
  const seconds = Math.floor(at.getTime() / 1000);
  const found = speakeasy.totp.verifyDelta({
    secret,
    encoding: 'base32',
    token: code,
    time: seconds,
    step: TOTP_STEP_SECONDS,
    window: TOTP_WINDOW,
  });
  if (!found) return null;
  const step = Math.floor(seconds / TOTP_STEP_SECONDS) + found.delta;
  if (lastUsedStep !== null && step <= lastUsedStep) return null;
  return step;
}
