import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@lmp/common';

/** 401 for a request whose API token is missing, malformed, unknown, revoked or expired. */
export class ApiTokenRefusedProblem extends ProblemException {
  constructor(detail: string) {
    super(HttpStatus.UNAUTHORIZED, { type: '/problems/invalid-api-token', title: 'Unauthorized', detail });
  }
}

/**
 * 403 for an API token used on a route that its scopes do not cover (or that no token may use).
 * `anyOf`: the scopes the route accepts, any one of which would do; null when none would.
 */
export class MissingScopeProblem extends ProblemException {
  constructor(readonly anyOf: readonly string[] | null) {
    const named = anyOf ? anyOf.join(' or ') : '';
    super(HttpStatus.FORBIDDEN, {
      type: '/problems/missing-scope',
      title: 'Forbidden',
      detail: anyOf
        ? `This API token lacks the scope ${anyOf.map((s) => `"${s}"`).join(' or ')} that this route needs.`
        : 'This route is not open to API tokens: sign in instead.',
      errors: anyOf ? [{ field: 'scope', message: `missing ${named}` }] : undefined,
    });
  }
}
