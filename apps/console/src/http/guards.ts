import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { MfaSetupRequiredProblem } from '@lmp/common';
import { UserRole } from '@lmp/database';
import { MissingScopeProblem } from '@lmp/tenancy';
import { AppRequest } from './request-context';
import { SCOPE_METADATA } from './scopes';

const ROLES = 'lmp:roles';
const DURING_MFA_SETUP = 'lmp:during-mfa-setup';

/** The roles that may use a route; checked by SignedInGuard after it finds a session. */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);

/**
 * Routes that staff who must still set up two-factor authentication may use: the set-up
 * itself, the session and signing out. Everything else answers 403 until they finish.
 */
export const AllowDuringMfaSetup = () => SetMetadata(DURING_MFA_SETUP, true);

/** Whether this signed-in session is held back until its user sets up a second factor. */
export const mfaSetupPending = (auth: { session: { mfaSetupRequired: boolean }; user: { mfaEnabled: boolean } }) =>
  auth.session.mfaSetupRequired && !auth.user.mfaEnabled;

/** A token's scopes allow `needed`: named itself, or as the `:write` of a `:read` (write implies read). */
export const grants = (scopes: ReadonlySet<string>, needed: string): boolean =>
  scopes.has(needed) || (needed.endsWith(':read') && scopes.has(needed.replace(/:read$/, ':write')));

/**
 * 401 without a live session (and a passed second factor), 403 with the wrong role or while
 * the partner's 2FA policy waits for a set-up. A request with an API token (only ever on the
 * partner API) passes on its scopes instead: 403 naming the scope the route needs and the token
 * lacks, or for a route without a scope; roles and 2FA concern people, not tokens.
 */
@Injectable()
export class SignedInGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AppRequest>();
    if (req.apiToken) {
      const anyOf = this.reflector.getAllAndOverride<string[] | undefined>(SCOPE_METADATA, [
        ctx.getHandler(),
        ctx.getClass(),
      ]);
      const scopes = req.apiToken.scopes;
      if (!anyOf || !anyOf.some((scope) => grants(scopes, scope))) {
        throw new MissingScopeProblem(anyOf ?? null);
      }
      return true;
    }
    if (!req.auth || !req.auth.session.mfaPassed) throw new UnauthorizedException('Sign in first.');
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (mfaSetupPending(req.auth) && !this.reflector.getAllAndOverride<boolean>(DURING_MFA_SETUP, targets)) {
      throw new MfaSetupRequiredProblem();
    }
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(req.auth.user.role)) {
      throw new ForbiddenException('Your role does not allow this.');
    }
    return true;
  }
}
