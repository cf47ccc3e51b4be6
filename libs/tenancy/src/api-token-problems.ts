import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@lmp/common';

/** The bearer challenge of the partner API (RFC 6750 §3); the detail is in the problem's body. */
const BEARER_REALM = 'Bearer realm="LMP partner API"';

/**
 * 401 for a request whose API token is missing, malformed, unknown, revoked or expired, with the
 * challenge RFC 6750 asks for: `error="invalid_token"` once a token was presented
 * (`presented`), none when the request brought no bearer token at all.
 */
export class ApiTokenRefusedProblem extends ProblemException {
  constructor(detail: string, presented = true) {
    super(
      HttpStatus.UNAUTHORIZED,
      { type: '/problems/invalid-api-token', title: 'Unauthorized', detail },
      { 'WWW-Authenticate': presented ? `${BEARER_REALM}, error="invalid_token"` : BEARER_REALM },
    );
  }
}

/**
 * 403 for an API token used on a route that its scopes do not cover (or that no token may use).
 * `anyOf`: the scopes the route accepts, any one of which would do; null when none would.
 */
export class MissingScopeProblem extends ProblemException {
  constructor(readonly anyOf: readonly string[] | null) {
    const named = anyOf ? anyOf.join(' or ') : '';
    super(
      HttpStatus.FORBIDDEN,
      {
        type: '/problems/missing-scope',
        title: 'Forbidden',
        detail: anyOf
          ? `This API token lacks the scope ${anyOf.map((s) => `"${s}"`).join(' or ')} that this route needs.`
          : 'This route is not open to API tokens: sign in instead.',
        errors: anyOf ? [{ field: 'scope', message: `missing ${named}` }] : undefined,
      },
      // RFC 6750 §3.1: the scopes that would do, space-separated (none when no token would).
      {
        'WWW-Authenticate': `${BEARER_REALM}, error="insufficient_scope"${anyOf ? `, scope="${anyOf.join(' ')}"` : ''}`,
      },
    );
  }
}
