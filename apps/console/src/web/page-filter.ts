import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { MfaSetupRequiredProblem, ReauthRequiredProblem, toProblem } from '@lmp/common';
import { safeNext } from '../http/csrf';
import { reauthHref } from '../account/two-factor/mfa-presenters';
import { PageErrorFilter } from './page-error.filter';

/**
 * Console pages answer "sign in first" with a redirect to the sign-in page, which brings the
 * user back afterwards, and "confirm it's you" with the re-authentication page; every other error is an HTML error page (PageErrorFilter).
 */
@Catch()
@Injectable()
export class ConsolePageFilter implements ExceptionFilter {
  constructor(private readonly pages: PageErrorFilter) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    if (toProblem(exception).status === HttpStatus.UNAUTHORIZED && !res.headersSent) {
      const req = http.getRequest<Request>();
      // After a form post the page to come back to is the one the form was on, not its action.
      const next = req.method === 'GET' ? safeNext(req.originalUrl, '') : '';
      res.redirect(303, next ? `/login?next=${encodeURIComponent(next)}` : '/login');
      return;
    }
    if (exception instanceof ReauthRequiredProblem && !res.headersSent) {
      // "Confirm it's you", then back to the page that asked (a form post goes back to Security).
      const req = http.getRequest<Request>();
      const back = req.method === 'GET' ? safeNext(req.originalUrl, '/account/security') : '/account/security';
      res.redirect(303, reauthHref(back));
      return;
    }
    if (exception instanceof MfaSetupRequiredProblem && !res.headersSent) {
      res.redirect(303, '/account/security?setup=required');
      return;
    }
    this.pages.catch(exception, host);
  }
}
