import { newTotpSecret, otpauthUrl, totpCode, verifyTotp } from './totp';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const AT = new Date('2030-03-01T09:30:10Z');
const step = (d: Date) => Math.floor(d.getTime() / 30_000);
const shift = (d: Date, seconds: number) => new Date(d.getTime() + seconds * 1000);

describe('TOTP', () => {
  it('matches the RFC 6238 SHA-1 test vector (8 digits cut to 6)', () => {
    // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s -> 94287082.
    const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totpCode(rfcSecret, new Date(59_000))).toBe('287082');
  });

  it('accepts the current code and returns its time step', () => {
    expect(verifyTotp(SECRET, totpCode(SECRET, AT), AT, null)).toBe(step(AT));
  });

  it('accepts the codes of one step before and after, not two', () => {
    expect(verifyTotp(SECRET, totpCode(SECRET, shift(AT, -30)), AT, null)).toBe(step(AT) - 1);
    expect(verifyTotp(SECRET, totpCode(SECRET, shift(AT, 30)), AT, null)).toBe(step(AT) + 1);
    expect(verifyTotp(SECRET, totpCode(SECRET, shift(AT, -60)), AT, null)).toBeNull();
    expect(verifyTotp(SECRET, totpCode(SECRET, shift(AT, 60)), AT, null)).toBeNull();
  });

  it('refuses a replay: the same step, or an older one, once a step was used', () => {
    const used = verifyTotp(SECRET, totpCode(SECRET, AT), AT, null)!;
    expect(verifyTotp(SECRET, totpCode(SECRET, AT), AT, used)).toBeNull();
    expect(verifyTotp(SECRET, totpCode(SECRET, shift(AT, -30)), AT, used)).toBeNull();
    expect(verifyTotp(SECRET, totpCode(SECRET, shift(AT, 30)), shift(AT, 30), used)).toBe(used + 1);
  });

  it('never verifies against an empty or malformed secret', () => {
    // speakeasy itself computes codes for an empty key; the guard refuses before it.
    const emptyKeyCode = totpCode('', AT);
    expect(verifyTotp('', emptyKeyCode, AT, null)).toBeNull();
    expect(verifyTotp('not base32!', '123456', AT, null)).toBeNull();
  });

  it('refuses anything but six digits', () => {
    const code = totpCode(SECRET, AT);
    for (const bad of ['', '12345', '1234567', `${code} `, 'abcdef']) expect(verifyTotp(SECRET, bad, AT, null)).toBeNull();
  });

  it('makes 160-bit base32 secrets and an otpauth URL with the issuer LMP', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const url = new URL(otpauthUrl(secret, 'ada@contoso.example.com'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/LMP:ada@contoso.example.com');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      secret,
      issuer: 'LMP',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
