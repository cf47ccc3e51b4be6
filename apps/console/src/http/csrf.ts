import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@lmp/config';

export const CSRF_COOKIE = 'lmp_csrf';
export const CSRF_FIELD = '_csrf';

/**
 * Signed double-submit CSRF tokens for HTML forms: a random cookie, and in the form its HMAC
 * under the session secret. A cross-site page can neither read the cookie nor forge the HMAC.
 */
@Injectable()
export class CsrfService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The token to put in a form, setting the cookie when the browser has none. */
  token(req: Request, res: Response): string {
    let seed = (req.cookies as Record<string, string> | undefined)?.[CSRF_COOKIE];
    if (!seed || !/^[A-Za-z0-9_-]{43}$/.test(seed)) {
      seed = randomBytes(32).toString('base64url');
      res.cookie(CSRF_COOKIE, seed, { httpOnly: true, sameSite: 'lax', secure: this.config.secureCookies, path: '/' });
    }
    return this.sign(seed);
  }

  /** Throws 403 unless the form's token matches the cookie. */
  verify(req: Request): void {
    const seed = (req.cookies as Record<string, string> | undefined)?.[CSRF_COOKIE];
    const sent = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    if (!seed || typeof sent !== 'string')
      throw new ForbiddenException('The form expired. Reload the page and try again.');
    const expected = Buffer.from(this.sign(seed));
    const given = Buffer.from(sent);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new ForbiddenException('The form expired. Reload the page and try again.');
    }
  }

  private sign(seed: string): string {
    return createHmac('sha256', this.config.sessionSecret).update(`csrf:${seed}`).digest('base64url');
  }
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
