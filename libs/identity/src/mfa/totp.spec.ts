import { createHmac } from 'node:crypto';
import * as speakeasy from 'speakeasy';
import { base32Encode, newTotpSecret, otpauthUrl, totpCode, verifyTotp } from './totp';

/** RFC 4648 base32 decoding, written independently of the encoder under test. */
function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...text.replace(/=+$/, '')].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((b) => parseInt(b, 2)));
}

/** RFC 4226 HOTP from the raw key, to check which bytes the authenticator app gets. */
function hotp(key: Buffer, counter: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

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
    for (const bad of ['', '12345', '1234567', `${code} `, 'abcdef'])
      expect(verifyTotp(SECRET, bad, AT, null)).toBeNull();
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

  it('encodes base32 as RFC 4648 says, without padding', () => {
    // RFC 4648 section 10 test vectors, padding removed.
    const vectors = ['', 'MY', 'MZXQ', 'MZXW6', 'MZXW6YQ', 'MZXW6YTB', 'MZXW6YTBOI'];
    vectors.forEach((expected, n) => expect(base32Encode(Buffer.from('foobar'.slice(0, n)))).toBe(expected));
    expect(base32Encode(Buffer.alloc(20, 0xff))).toBe('7'.repeat(32));
  });

  it('draws each secret from 20 random bytes, the whole byte range, not printable characters', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const secret = newTotpSecret();
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      const key = base32Decode(secret);
      expect(key).toHaveLength(20);
      key.forEach((b) => seen.add(b));
      // The app computes codes from exactly these bytes, and speakeasy agrees with it.
      expect(totpCode(secret, AT)).toBe(hotp(key, step(AT)));
      expect(verifyTotp(secret, hotp(key, step(AT)), AT, null)).toBe(step(AT));
    }
    // 4,000 random bytes cover nearly all 256 values; printable ASCII would give at most 95.
    expect(seen.size).toBeGreaterThan(240);
    expect([...seen].some((b) => b >= 0x80)).toBe(true);
    expect([...seen].some((b) => b < 0x20)).toBe(true);
  });

  it('still verifies secrets made the old way (speakeasy.generateSecret)', () => {
    const old = speakeasy.generateSecret({ length: 20 }).base32;
    expect(verifyTotp(old, totpCode(old, AT), AT, null)).toBe(step(AT));
    expect(totpCode(old, AT)).toBe(hotp(base32Decode(old), step(AT)));
    expect(verifyTotp(SECRET, totpCode(SECRET, AT), AT, null)).toBe(step(AT));
  });
});
