import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, ProblemException, RateLimitedProblem } from './problem';

/**
 * Turns every exception into an RFC 9457 problem body. Unknown errors are logged with
 * their stack and answered as a bare 500: no stack trace or message reaches the client.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const problem = toProblem(exception);
    if (problem.status >= 500) {
      this.logger.error({ err: exception, path: req.path }, 'request failed');
    }
    if (res.headersSent) return;
    if (exception instanceof ProblemException) {
      for (const [name, value] of Object.entries(exception.headers)) res.setHeader(name, value);
    }
    if (exception instanceof RateLimitedProblem)
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(exception.retryAfterSeconds))));
    if (problem.status === HttpStatus.TOO_MANY_REQUESTS && !res.getHeader('Retry-After')) {
      res.setHeader('Retry-After', '60');
    }
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}

export function toProblem(exception: unknown): ProblemDetails {
  if (exception instanceof ProblemException) {
    return { ...exception.problem, status: exception.getStatus() };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const title = STATUS_CODES[status] ?? 'Error';
    let detail: string | undefined;
    if (typeof body === 'string') detail = body;
    else if (body && typeof body === 'object' && 'message' in body) {
      const m = (body as { message: unknown }).message;
      detail = Array.isArray(m) ? m.join('; ') : String(m);
    }
    return { type: 'about:blank', title, status, detail: detail && detail !== title ? detail : undefined };
  }
  // body-parser errors carry a status (400 for broken JSON, 413 for too large)
  const status = (exception as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      type: 'about:blank',
      title: STATUS_CODES[status] ?? 'Bad Request',
      status,
      detail: status === 400 ? 'The request body is not valid JSON.' : undefined,
    };
  }
  return { type: 'about:blank', title: 'Internal Server Error', status: 500 };
}
