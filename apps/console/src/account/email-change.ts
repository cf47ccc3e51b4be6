import { RateLimitedProblem } from '@lmp/common';
import { TOKEN_TTL_MS } from '@lmp/identity';
import { invitedEmail } from '../web/format';
import { errorList, FieldErrors, FormSpec, ruleErrors } from '../web/forms';
import { PageData } from '../web/page-renderer';

/** My Profile → Change email address: the form, what the service's refusals say, the page data. */

export const EMAIL_CHANGE_PATH = '/account/profile/email';

export const EMAIL_CHANGE_FORM: FormSpec = {
  fields: {
    newEmail: 'Enter the new email address, such as name@example.com.',
    password: 'Enter your password.',
  },
  rules: {
    newEmail: 'That is already your email address.',
    password: 'Your password is not correct.',
  },
};

export interface EmailChangeRefusal {
  status: number;
  errors: FieldErrors;
  /** A refusal that belongs to no field: too many links to the new address. */
  error?: string;
  retryAfterSeconds?: number;
}

/** The refusal the form shows for an error of EmailChangeService.request; null for any other. */
export function emailChangeRefusal(err: unknown): EmailChangeRefusal | null {
  if (err instanceof RateLimitedProblem)
    return { status: 429, errors: {}, error: err.problem.detail, retryAfterSeconds: err.retryAfterSeconds };
  const errors = ruleErrors(err, EMAIL_CHANGE_FORM);
  return errors ? { status: 400, errors } : null;
}

/**
 * The page: the form with what happens next, or (`?sent=` after a change was asked for) where the
 * link went. The password is never filled in again.
 */
export function emailChangePage(
  currentEmail: string,
  query: Record<string, unknown>,
  values: Record<string, string> = {},
  refusal?: EmailChangeRefusal,
): PageData {
  const errors = refusal?.errors ?? {};
  return {
    title: 'Change email address',
    currentEmail,
    sentTo: invitedEmail(query.sent)?.toLowerCase(),
    expiresInHours: TOKEN_TTL_MS.email_change / 3600_000,
    action: EMAIL_CHANGE_PATH,
    values: { newEmail: values.newEmail ?? '' },
    errors,
    errorList: errorList(errors),
    error: refusal?.error,
  };
}
