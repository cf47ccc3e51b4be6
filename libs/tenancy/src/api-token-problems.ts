import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@lmp/common';

/** 401 for a request whose API token is missing, malformed, unknown, revoked or expired. */
export class ApiTokenRefusedProblem extends ProblemException {
  constructor(detail: string) {
    super(HttpStatus.UNAUTHORIZED, { type: '/problems/invalid-api-token', title: 'Unauthorized', detail });
  }
}

/** 403 for an API token used on a route that its scopes do not cover (or that no token may use). */
export class MissingScopeProblem extends ProblemException {
  constructor(readonly scope: string | null) {
    super(HttpStatus.FORBIDDEN, {
      type: '/problems/missing-scope',
      title: 'Forbidden',
      detail: scope
        ? `This API token lacks the scope "${scope}" that this route needs.`
        : 'This route is not open to API tokens: sign in instead.',
      errors: scope ? [{ field: 'scope', message: `missing ${scope}` }] : undefined,
    });
  }
}
