import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { PENDING_COOKIE, SESSION_COOKIE } from '@lmp/identity';

export const CSRF_COOKIE = 'lmp_csrf';
/** Under https: a __Host- cookie cannot be set by a sibling subdomain, nor scoped to a Domain. */
export const SECURE_CSRF_COOKIE = '__Host-lmp_csrf';
export const CSRF_FIELD = '_csrf';

const EXPIRED = 'The form expired. Reload the page and try again.';

/**
 * Signed double-submit CSRF tokens for HTML forms: a random cookie, and in the form an HMAC
 * under the session secret over that cookie and the browser's sign-in state (its session
 * cookie, else its pending second-step cookie, else "anonymous"). A cross-site page can neither
 * read the cookie nor forge the HMAC; a token taken from an anonymous visit, or from another
 * session, does not pass once a session cookie is present.
 */
@Injectable()
export class CsrfService {
  private readonly cookieName: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.cookieName = config.secureCookies ? SECURE_CSRF_COOKIE : CSRF_COOKIE;
  }

  /** The token to put in a form, setting the cookie when the browser has none. */
  token(req: Request, res: Response): string {
    let seed = cookies(req)[this.cookieName];
    if (!seed || !/^[A-Za-z0-9_-]{43}$/.test(seed)) {
      seed = randomBytes(32).toString('base64url');
      // Path=/, Secure under https and no Domain: what the __Host- prefix requires.
      res.cookie(this.cookieName, seed, {
        httpOnly: true,
        sameSite: 'lax',
        secure: this.config.secureCookies,
        path: '/',
      });
    }
    return this.sign(seed, req);
  }

  /** Throws 403 unless the form's token matches the cookie and the sign-in state it was issued for. */
  verify(req: Request): void {
    const seed = cookies(req)[this.cookieName];
    const sent = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    if (!seed || typeof sent !== 'string') throw new ForbiddenException(EXPIRED);
    const expected = Buffer.from(this.sign(seed, req));
    const given = Buffer.from(sent);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new ForbiddenException(EXPIRED);
    }
  }

  private sign(seed: string, req: Request): string {
    return createHmac('sha256', this.config.sessionSecret)
      .update(`csrf:${seed}:${binding(req)}`)
      .digest('base64url');
  }
}

const cookies = (req: Request): Record<string, string | undefined> =>
  (req.cookies as Record<string, string> | undefined) ?? {};

/**
 * Which sign-in state a token belongs to, from the cookies as sent (not from whether the session
 * is still alive), so that the page and its post agree; a session that ended in between still
 * reaches the handler, which sends the visitor to sign in.
 */
function binding(req: Request): string {
  const jar = cookies(req);
  const session = jar[SESSION_COOKIE];
  if (session) return `session:${createHash('sha256').update(session).digest('base64url')}`;
  const pending = jar[PENDING_COOKIE];
  if (pending) return `pending:${createHash('sha256').update(pending).digest('base64url')}`;
  return 'anonymous';
}

const SKIP_CSRF = 'lmp:skip-csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * For a form route that a page of ours never posts: the RFC 8058 one-click unsubscribe, which
 * mail clients send with no page and no cookie; its signed link is what authorises it.
 */
export const SkipCsrf = () => SetMetadata(SKIP_CSRF, true);

/**
 * Every unsafe request to a page route needs the form's token, so a handler cannot forget the
 * check. The JSON API (/api) has its own defence: bodies must be application/json and another
 * origin is refused (JsonOnlyMiddleware), with SameSite cookies.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly csrf: CsrfService,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    if (!UNSAFE.has(req.method) || req.path === '/api' || req.path.startsWith('/api/')) return true;
    if (this.reflector.getAllAndOverride<boolean>(SKIP_CSRF, [ctx.getHandler(), ctx.getClass()])) return true;
    this.csrf.verify(req);
    return true;
  }
}

/** Only a path on this site: `/x` but not `//evil` or `/\evil`. */
export function safeNext(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\'))
    return fallback;
  return next.length > 500 ? fallback : next;
}
