import { checkPassword, PASSWORD_MAX, PASSWORD_MIN } from './password-policy';

describe('checkPassword', () => {
  it('uses the documented limits of 8 and 128 characters', () => {
    expect(PASSWORD_MIN).toBe(8);
    expect(PASSWORD_MAX).toBe(128);
  });

  it('refuses 7 characters', () => {
    expect(checkPassword('a'.repeat(7), null)).toEqual([
      { field: 'password', message: 'must be at least 8 characters' },
    ]);
  });

  it('accepts 8 characters', () => {
    expect(checkPassword('k7#vQ2pz', null)).toEqual([]);
  });

  it('refuses a common password, whatever its letter case', () => {
    for (const common of ['password1', 'Password1', 'aaaaaaaa', 'qwertyuiop', 'iloveyou']) {
      expect(checkPassword(common, null)).toEqual([
        { field: 'password', message: 'is too common: it appears in lists of leaked passwords' },
      ]);
    }
  });

  it('ships a list of at least 10,000 common passwords', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const encoded = require('fxa-common-password-list/src/encoded-passwords') as string;
    expect(encoded.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(10_000);
  });

  it('accepts 128 characters', () => {
    expect(checkPassword('a'.repeat(128), null)).toEqual([]);
  });

  it('refuses 129 characters', () => {
    expect(checkPassword('a'.repeat(129), null)).toEqual([
      { field: 'password', message: 'must be at most 128 characters' },
    ]);
  });

  it('has no composition rules: a long passphrase of lowercase words is fine', () => {
    expect(checkPassword('correct horse battery staple', 'alice@example.com')).toEqual([]);
  });

  describe('counts characters as people see them (code points, not UTF-16 units)', () => {
    it('refuses 7 emoji although they are 14 UTF-16 units', () => {
      const password = '😀'.repeat(7);
      expect(password.length).toBe(14);

      expect(checkPassword(password, null)).toHaveLength(1);
    });

    it('accepts 8 emoji', () => {
      expect(checkPassword('🔑'.repeat(8), null)).toEqual([]);
    });

    it('accepts 128 emoji although they are 256 UTF-16 units', () => {
      expect(checkPassword('😀'.repeat(128), null)).toEqual([]);
    });

    it('refuses 129 emoji', () => {
      expect(checkPassword('😀'.repeat(129), null)).toEqual([
        { field: 'password', message: 'must be at most 128 characters' },
      ]);
    });
  });

  describe('not the account email', () => {
    it('refuses the email address itself', () => {
      expect(checkPassword('alice@example.com', 'alice@example.com')).toEqual([
        { field: 'password', message: 'must not be your email address' },
      ]);
    });

    it('refuses the email in any case', () => {
      expect(checkPassword('Alice@EXAMPLE.com', 'alice@example.com')).toHaveLength(1);
      expect(checkPassword('alice@example.com', 'ALICE@Example.COM')).toHaveLength(1);
    });

    it('refuses the email with surrounding spaces', () => {
      expect(checkPassword('  alice@example.com ', 'alice@example.com')).toHaveLength(1);
    });

    it('accepts a password that only contains the email', () => {
      expect(checkPassword('alice@example.com!', 'alice@example.com')).toEqual([]);
    });

    it('skips the check when there is no email yet', () => {
      expect(checkPassword('alice@example.com', null)).toEqual([]);
    });
  });

  it('reports the error under the field name it is given', () => {
    expect(checkPassword('short', null, 'newPassword')).toEqual([
      { field: 'newPassword', message: 'must be at least 8 characters' },
    ]);
    expect(checkPassword('bob@example.org', 'bob@example.org', 'newPassword')[0].field).toBe('newPassword');
  });
});
