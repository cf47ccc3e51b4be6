import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UserRole } from '@lmp/database';
import { AppRequest } from './request-context';

const ROLES = 'lmp:roles';

/** The roles that may use a route; checked by SignedInGuard after it finds a session. */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);

/** 401 without a live session (and a passed second factor), 403 with the wrong role. */
@Injectable()
export class SignedInGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AppRequest>();
    if (!req.auth || !req.auth.session.mfaPassed) throw new UnauthorizedException('Sign in first.');
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, [ctx.getHandler(), ctx.getClass()]);
    if (roles && !roles.includes(req.auth.user.role)) {
      throw new ForbiddenException('Your role does not allow this.');
    }
    return true;
  }
}
