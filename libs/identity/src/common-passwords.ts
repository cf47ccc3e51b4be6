import commonPasswordList from 'fxa-common-password-list';

/**
 * 50,000 common passwords of 8 characters or more, from the `fxa-common-password-list`
 * package (Mozilla, MPL-2.0), which takes them from the most frequent entries of the
 * "10 million password list" (Mark Burnett). The list is lower-case; so is the check.
 */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  return commonPasswordList.test(lower);
}
