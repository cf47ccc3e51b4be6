import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { SESSION_COOKIE, SessionService } from '@lmp/identity';
import { AppRequest } from './request-context';

/** Loads the session named by the cookie, if any, into `req.auth`. Guards decide what it allows. */
@Injectable()
export class SessionMiddleware implements NestMiddleware {
  constructor(private readonly sessions: SessionService) {}

  async use(req: AppRequest, _res: Response, next: NextFunction): Promise<void> {
    try {
      const raw = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
      const found = raw ? await this.sessions.resolve(raw) : null;
      if (found && raw) req.auth = { ...found, rawSession: raw };
      next();
    } catch (err) {
      next(err);
    }
  }
}
