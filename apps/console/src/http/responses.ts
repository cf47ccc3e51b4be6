/**
 * Response shapes shared by several API areas. Files named `responses.ts` (and `dto.ts`) are read
 * by the @nestjs/swagger plugin: a class's typed properties become its OpenAPI schema, and a
 * controller method declared to return `Promise<SomeResponse>` documents that response.
 */

/** An empty JSON object: the request was accepted; there is nothing to show. */
export class AcceptedResponse {}

/** A customer's user as partner staff and the company's own admins see it. */
export class AccountResponse {
  id!: string;
  email!: string;
  firstName!: string;
  lastName!: string;
  role!: 'partner_admin' | 'partner_support' | 'full_access' | 'read_only' | 'platform_admin';
  status!: 'active' | 'invited' | 'disabled';
  emailVerified!: boolean;
  mfaEnabled!: boolean;
  /** ISO 8601; null until the first sign-in. */
  lastLoginAt!: string | null;
  /** ISO 8601. */
  createdAt!: string;
}

/** One refused field of a request. */
export class FieldErrorResponse {
  /** The field's name, as sent. */
  field!: string;
  message!: string;
}

/** Every error answer: problem details (RFC 9457), served as application/problem+json. */
export class ProblemDetailsResponse {
  /** A path under /problems naming the kind of problem, or `about:blank`. */
  type!: string;
  title!: string;
  /** The HTTP status code. */
  status!: number;
  detail?: string;
  instance?: string;
  /** With 400: each refused field. */
  errors?: FieldErrorResponse[];
}
