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
import { AppRequest } from './request-context';

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

/**
 * 401 without a live session (and a passed second factor), 403 with the wrong role or while
 * the partner's 2FA policy waits for a set-up.
 */
@Injectable()
export class SignedInGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AppRequest>();
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
