import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { SESSION_COOKIE, SessionService } from '@lmp/identity';
import { PartnerApiTokensService } from '@lmp/tenancy';
import { isPartnerApi } from './api-token-auth';
import { AppRequest } from './request-context';

/**
 * Loads the session named by the cookie, if any, into `req.auth`; or, on the partner API, the
 * caller that an Authorization header's API token names into `req.apiToken` (cookies are then
 * not read at all; a bad token is 401 here). Guards decide what either allows.
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware {
  constructor(
    private readonly sessions: SessionService,
    private readonly apiTokens: PartnerApiTokensService,
  ) {}

  async use(req: AppRequest, _res: Response, next: NextFunction): Promise<void> {
    try {
      const authorization = req.get('authorization');
      if (authorization !== undefined && isPartnerApi(req)) {
        req.apiToken = await this.apiTokens.authenticate(authorization, req.ip ?? null);
        return next();
      }
      const raw = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
      const found = raw ? await this.sessions.resolve(raw) : null;
      if (found && raw) req.auth = { ...found, rawSession: raw };
      next();
    } catch (err) {
      next(err);
    }
  }
}
