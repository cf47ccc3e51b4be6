import { HttpException, HttpStatus } from '@nestjs/common';

/** One invalid field of a request, as reported in a problem's `errors` list. */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem details body. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * An HTTP error that carries its own problem type and field errors. Services throw the
 * named subclasses below; the filter turns every exception into a problem body.
 */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly problem: Omit<ProblemDetails, 'status'>,
    /** Response headers that go with the problem (`WWW-Authenticate` on a 401, say). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(problem.detail ?? problem.title, status);
  }
}

export class ValidationProblem extends ProblemException {
  constructor(errors: FieldError[], detail = 'The request has invalid fields.') {
    super(HttpStatus.BAD_REQUEST, { type: '/problems/validation', title: 'Invalid request', detail, errors });
  }
}

export class NotFoundProblem extends ProblemException {
  constructor(what = 'resource') {
    super(HttpStatus.NOT_FOUND, { type: 'about:blank', title: 'Not Found', detail: `No such ${what}.` });
  }
}

export class InvalidTokenProblem extends ProblemException {
  constructor() {
    super(HttpStatus.BAD_REQUEST, {
      type: '/problems/invalid-token',
      title: 'Invalid or expired link',
      detail: 'This link is invalid, has expired or has already been used. Ask for a new one.',
      errors: [{ field: 'token', message: 'invalid, expired or already used' }],
    });
  }
}

export class ConflictProblem extends ProblemException {
  constructor(detail: string, errors?: FieldError[]) {
    super(HttpStatus.CONFLICT, { type: '/problems/conflict', title: 'Conflict', detail, errors });
  }
}

/** 429 with the seconds to wait, sent as Retry-After. */
export class RateLimitedProblem extends ProblemException {
  constructor(
    readonly retryAfterSeconds: number,
    detail = `Too many attempts. Try again in ${Math.max(1, Math.ceil(retryAfterSeconds / 60))} minute(s).`,
  ) {
    super(HttpStatus.TOO_MANY_REQUESTS, {
      type: '/problems/rate-limited',
      title: 'Too Many Requests',
      detail,
    });
  }
}

/** 403 for partner staff who must set up two-factor authentication before anything else. */
export class MfaSetupRequiredProblem extends ProblemException {
  constructor() {
    super(HttpStatus.FORBIDDEN, {
      type: '/problems/mfa-setup-required',
      title: 'Two-factor authentication required',
      detail: 'Your organisation requires two-factor authentication. Set it up under /account/security first.',
    });
  }
}

/**
 * 403 for a change to sign-in methods without a recent re-authentication: give the password or a
 * current code (POST /api/v1/me/reauth) and try again.
 */
export class ReauthRequiredProblem extends ProblemException {
  constructor() {
    super(HttpStatus.FORBIDDEN, {
      type: '/problems/reauth-required',
      title: 'Confirm it is you',
      detail: 'Enter your password or a current two-factor code again (POST /api/v1/me/reauth), then try again.',
    });
  }
}

/** 403 for an action that needs a verified email address first (inviting users, for one). */
export class EmailNotVerifiedProblem extends ProblemException {
  constructor(detail = 'Verify your email address first: use the link we emailed you, or ask for a new one.') {
    super(HttpStatus.FORBIDDEN, { type: '/problems/email-not-verified', title: 'Email address not verified', detail });
  }
}
