import { createParamDecorator, ExecutionContext, ForbiddenException } from '@nestjs/common';
import { PartnerActor } from '@lmp/tenancy';
import { AppRequest } from '../http/request-context';

/**
 * The signed-in partner staff member, or the partner API token of the request, as the tenant
 * scope every partner service call needs.
 */
export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext): PartnerActor => {
  const req = ctx.switchToHttp().getRequest<AppRequest>();
  if (req.apiToken) return req.apiToken.actor;
  const partnerId = req.auth?.user.partnerId;
  if (!req.auth || !partnerId) throw new ForbiddenException('Partner staff only.');
  return { partnerId, userId: req.auth.user.id, ip: req.ip ?? null };
});
