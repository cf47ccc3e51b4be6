import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Codes sent by SMS or email: 6 digits, 10 minutes, at most 5 tries, then a new one is needed. */
export const SENT_CODE_TTL_MS = 10 * 60_000;
export const SENT_CODE_MAX_TRIES = 5;
export const RECOVERY_CODE_COUNT = 10;
/** An email warns when this many recovery codes or fewer are left. */
export const RECOVERY_CODES_LOW = 2;

export const sixDigits = (): string => randomInt(0, 1_000_000).toString().padStart(6, '0');

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i

/** `xxxxx-xxxxx`: 10 characters of a 31-letter alphabet, about 50 bits. */
export function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  let out = '';
  for (let i = 0; i < 10; i++) {
    out += RECOVERY_ALPHABET[bytes[i] % RECOVERY_ALPHABET.length];
    if (i === 4) out += '-';
  }
  return out;
}

/** What the user typed, as it was issued: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(input: string): string {
  const plain = input.toLowerCase().replace(/[\s-]/g, '');
  return plain.length === 10 ? `${plain.slice(0, 5)}-${plain.slice(5)}` : plain;
}

/**
 * Codes are short, so a plain hash of a stolen table would be reversed in moments: they are
 * kept as an HMAC under the server's secret, bound to their purpose and owner.
 */
export class CodeHasher {
  constructor(private readonly secret: string) {}

  hash(code: string, scope: string): string {
    return createHmac('sha256', this.secret).update(`${scope}:${code}`).digest('hex');
  }

  matches(code: string, scope: string, stored: string | null): boolean {
    if (!stored) return false;
    const a = Buffer.from(this.hash(code, scope), 'hex');
    const b = Buffer.from(stored, 'hex');
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

export type CodeCheck = { ok: true } | { ok: false; reason: 'wrong' | 'expired' | 'no_code' | 'too_many_tries' };

export interface SentCodeState {
  codeHash: string | null;
  codeExpiresAt: Date | null;
  codeTries: number;
}

/**
 * Checks a code sent by SMS or email. Returns the verdict and, for a wrong code, the state to
 * store: one more try, and no code at all after the last allowed try.
 */
export function checkSentCode(
  state: SentCodeState,
  code: string,
  scope: string,
  now: Date,
  hasher: CodeHasher,
): { check: CodeCheck; next?: Pick<SentCodeState, 'codeTries'> & Partial<SentCodeState> } {
  if (!state.codeHash || !state.codeExpiresAt) return { check: { ok: false, reason: 'no_code' } };
  if (state.codeExpiresAt <= now) return { check: { ok: false, reason: 'expired' } };
  if (state.codeTries >= SENT_CODE_MAX_TRIES) return { check: { ok: false, reason: 'too_many_tries' } };
  if (hasher.matches(code, scope, state.codeHash)) return { check: { ok: true } };
  const tries = state.codeTries + 1;
  return tries >= SENT_CODE_MAX_TRIES
    ? { check: { ok: false, reason: 'too_many_tries' }, next: { codeTries: tries, codeHash: null } }
    : { check: { ok: false, reason: 'wrong' }, next: { codeTries: tries } };
}
