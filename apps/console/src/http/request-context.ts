import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { Session, User } from '@lmp/database';
import { ConfirmingSession, DEVICE_COOKIE, SessionMeta } from '@lmp/identity';
import type { ApiTokenCaller } from '@lmp/tenancy';

/** What the session middleware found for this request. */
export interface AuthContext {
  user: User;
  session: Session;
  /** The cookie value, to end this very session on sign-out. */
  rawSession: string;
}

/** `apiToken`: the partner API token that authenticated this request (then there is no `auth`). */
export type AppRequest = Request & { auth?: AuthContext; apiToken?: ApiTokenCaller; id?: string | number };

export const meta = (req: Request): SessionMeta => ({
  ip: req.ip ?? null,
  userAgent: req.get('user-agent') ?? null,
  deviceProof: (req.cookies as Record<string, string> | undefined)?.[DEVICE_COOKIE] ?? null,
});

/** The signed-in session of a request to a link route that needs none (it may be the owner's). */
export const confirmingSession = (req: AppRequest): ConfirmingSession | undefined =>
  req.auth ? { userId: req.auth.user.id, sessionId: req.auth.session.id } : undefined;

/** The signed-in user's context; only on routes behind SignedInGuard. */
export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthContext => {
  const req = ctx.switchToHttp().getRequest<AppRequest>();
  if (!req.auth) throw new Error('Auth used on a route without SignedInGuard');
  return req.auth;
});

export const Meta = createParamDecorator((_: unknown, ctx: ExecutionContext): SessionMeta =>
  meta(ctx.switchToHttp().getRequest()),
);
