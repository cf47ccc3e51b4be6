import { ProblemException, RateLimitedProblem } from '@lmp/common';
import { FieldErrors, FormSpec } from '../../web/forms';

/** The two-factor forms of My Profile → Security, and how they word what the API's rules refuse. */

export const CODE_FORM: FormSpec = { fields: { code: 'Enter the 6-digit code, such as 123456.' } };
export const PHONE_FORM: FormSpec = {
  fields: { phone: 'Enter a mobile phone number with its country code, such as +14155550123.' },
};
export const EMAIL_FORM: FormSpec = { fields: { email: 'Enter an email address, such as name@example.com.' } };
export const PASSWORD_ONLY_FORM: FormSpec = { fields: { password: 'Enter your password.' } };

/** The service's field rules, worded for the forms. A wrong code keeps the service's own sentence. */
const RULES: Record<string, string> = {
  phone: 'Enter a valid mobile phone number with its country code, such as +14155550123.',
  email: 'Enter a valid email address, such as name@example.com.',
  password: 'That password is not correct.',
};

export interface Refusal {
  status: number;
  /** Errors next to the form's fields. */
  errors?: FieldErrors;
  /** A refusal that belongs to no field: the last method, the partner's policy, a rate limit. */
  error?: string;
  retryAfterSeconds?: number;
}

/**
 * How a form shows a two-factor change the service refused: field errors (400, or a 409 naming a
 * field such as "set up already"), a sentence (409, 429); null for anything else, which the
 * caller rethrows to the error page (404 for another user's method, 5xx).
 */
export function mfaRefusal(err: unknown): Refusal | null {
  if (err instanceof RateLimitedProblem)
    return { status: 429, error: err.problem.detail, retryAfterSeconds: err.retryAfterSeconds };
  if (!(err instanceof ProblemException)) return null;
  const status = err.getStatus();
  if (status !== 400 && status !== 409) return null;
  if (!err.problem.errors?.length) return status === 409 ? { status, error: err.problem.detail } : null;
  const errors: FieldErrors = {};
  for (const e of err.problem.errors) {
    const message =
      status === 409 && err.problem.detail
        ? err.problem.detail
        : e.field === 'code'
          ? e.message
          : (RULES[e.field] ?? `${e.field} ${e.message}.`);
    errors[e.field] ??= message;
  }
  return { status, errors };
}

/**
 * A refusal the form shows (its messages and status, with Retry-After for a rate limit); the
 * error itself when the page cannot show it, for the error page.
 */
export function refused(err: unknown): Refusal {
  const refusal = mfaRefusal(err);
  if (!refusal) throw err;
  return refusal;
}
