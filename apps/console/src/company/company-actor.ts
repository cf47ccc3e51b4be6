import { createParamDecorator, ExecutionContext, ForbiddenException } from '@nestjs/common';
import { CompanyActor } from '@lmp/tenancy';
import { AppRequest } from '../http/request-context';

/** The signed-in customer user, as the company scope every company-users call needs. */
export const Company = createParamDecorator((_: unknown, ctx: ExecutionContext): CompanyActor => {
  const req = ctx.switchToHttp().getRequest<AppRequest>();
  const customerId = req.auth?.user.customerId;
  if (!req.auth || !customerId) throw new ForbiddenException('Customer users only.');
  return { customerId, userId: req.auth.user.id, role: req.auth.user.role, ip: req.ip ?? null };
});
