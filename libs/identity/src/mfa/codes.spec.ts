import {
  checkSentCode,
  SentCodeState,
  CodeHasher,
  newRecoveryCode,
  normalizeRecoveryCode,
  SENT_CODE_MAX_TRIES,
  sixDigits,
} from './codes';

const hasher = new CodeHasher('a server secret of some length');
const NOW = new Date('2030-03-01T09:30:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

function sent(code: string, overrides: Partial<SentCodeState> = {}): SentCodeState {
  return { codeHash: hasher.hash(code, 'sent:m1'), codeExpiresAt: later(10 * 60_000), codeTries: 0, ...overrides };
}

describe('sent codes', () => {
  it('are six digits, leading zeros kept', () => {
    for (let i = 0; i < 200; i++) expect(sixDigits()).toMatch(/^\d{6}$/);
  });

  it('accept the right code before it expires', () => {
    expect(checkSentCode(sent('042117'), '042117', 'sent:m1', NOW, hasher)).toEqual({ check: { ok: true } });
  });

  it('refuse an expired code, even the right one', () => {
    const state = sent('042117', { codeExpiresAt: later(-1) });
    expect(checkSentCode(state, '042117', 'sent:m1', NOW, hasher).check).toEqual({ ok: false, reason: 'expired' });
  });

  it('count wrong tries and void the code at the fifth', () => {
    let state = sent('042117');
    for (let i = 1; i < SENT_CODE_MAX_TRIES; i++) {
      const { check, next } = checkSentCode(state, '999999', 'sent:m1', NOW, hasher);
      expect(check).toEqual({ ok: false, reason: 'wrong' });
      expect(next).toEqual({ codeTries: i });
      state = { ...state, ...next };
    }
    const last = checkSentCode(state, '999999', 'sent:m1', NOW, hasher);
    expect(last).toEqual({ check: { ok: false, reason: 'too_many_tries' }, next: { codeTries: 5, codeHash: null } });
    state = { ...state, ...last.next };
    expect(checkSentCode(state, '042117', 'sent:m1', NOW, hasher).check).toEqual({ ok: false, reason: 'no_code' });
  });

  it('belong to their method: the same digits for another method do not match', () => {
    expect(checkSentCode(sent('042117'), '042117', 'sent:m2', NOW, hasher).check.ok).toBe(false);
  });
});

describe('recovery codes', () => {
  it('are ten characters in two groups, from an alphabet without look-alikes', () => {
    const codes = Array.from({ length: 50 }, newRecoveryCode);
    for (const c of codes) expect(c).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
    expect(new Set(codes).size).toBe(50);
  });

  it('read the same whatever the case, spaces or dashes', () => {
    expect(normalizeRecoveryCode(' ABCDE FGHJK ')).toBe('abcde-fghjk');
    expect(normalizeRecoveryCode('abcdefghjk')).toBe('abcde-fghjk');
    expect(normalizeRecoveryCode('abc')).toBe('abc');
  });

  it('are kept as a keyed hash: another server secret gives another hash', () => {
    const other = new CodeHasher('another secret');
    expect(hasher.hash('abcde-fghjk', 'recovery:u1')).toMatch(/^[0-9a-f]{64}$/);
    expect(other.hash('abcde-fghjk', 'recovery:u1')).not.toBe(hasher.hash('abcde-fghjk', 'recovery:u1'));
    expect(hasher.matches('abcde-fghjk', 'recovery:u1', hasher.hash('abcde-fghjk', 'recovery:u1'))).toBe(true);
    expect(hasher.matches('abcde-fghjk', 'recovery:u2', hasher.hash('abcde-fghjk', 'recovery:u1'))).toBe(false);
    expect(hasher.matches('abcde-fghjk', 'recovery:u1', null)).toBe(false);
  });
});
