import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { RateLimitedProblem, toProblem } from '@lmp/common';
import { PageRenderer } from './page-renderer';

/** Errors on HTML pages are HTML pages too, with the same status and a way back. */
@Catch()
@Injectable()
export class PageErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Pages');

  constructor(private readonly pages: PageRenderer) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const problem = toProblem(exception);
    if (problem.status >= 500) this.logger.error({ err: exception }, 'page failed');
    if (res.headersSent) return;
    if (exception instanceof RateLimitedProblem)
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(exception.retryAfterSeconds))));
    this.pages.send(
      res,
      'web/error',
      {
        title: problem.title,
        status: problem.status,
        detail: problem.detail ?? 'Something went wrong. Try again in a moment.',
      },
      problem.status,
    );
  }
}
