import { FieldError } from '@lmp/common';
import { isCommonPassword } from './common-passwords';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * The rules for every password a person sets: length 8 to 128 characters (no composition
 * rules, as NIST SP 800-63B advises), not one of 50,000 common passwords, and not the
 * account's own email address.
 */
export function checkPassword(password: string, email: string | null, field = 'password'): FieldError[] {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return [{ field, message: `must be at least ${PASSWORD_MIN} characters` }];
  if (length > PASSWORD_MAX) return [{ field, message: `must be at most ${PASSWORD_MAX} characters` }];
  if (email && password.trim().toLowerCase() === email.toLowerCase()) {
    return [{ field, message: 'must not be your email address' }];
  }
  if (isCommonPassword(password)) {
    return [{ field, message: 'is too common: it appears in lists of leaked passwords' }];
  }
  return [];
}
