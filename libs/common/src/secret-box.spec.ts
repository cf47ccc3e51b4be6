import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe(SecretBox.name, () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  it('opens what it sealed, and seals the same text differently each time', () => {
    const a = box.seal('JBSWY3DPEHPK3PXP', 'mfa:u1:m1');
    const b = box.seal('JBSWY3DPEHPK3PXP', 'mfa:u1:m1');
    expect(a).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(a).not.toBe(b);
    expect(box.open(a, 'mfa:u1:m1')).toBe('JBSWY3DPEHPK3PXP');
    expect(box.open(b, 'mfa:u1:m1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses a text sealed for another user or method', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'mfa:u1:m1');
    expect(() => box.open(sealed, 'mfa:u2:m1')).toThrow();
  });

  it('refuses an altered text and another key', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'ctx');
    const [v, iv, tag, body] = sealed.split(':');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([v, iv, tag, flipped.toString('base64url')].join(':'), 'ctx')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'ctx')).toThrow();
    expect(() => box.open('plain text', 'ctx')).toThrow(/not a sealed secret/);
  });

  it('needs a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32-byte/);
  });
});
