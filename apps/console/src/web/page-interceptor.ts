import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { mergeMap, Observable } from 'rxjs';
import { CsrfService } from '../http/csrf';
import { AppRequest } from '../http/request-context';
import { PageRenderer } from './page-renderer';
import { Page, Redirect } from './page-result';
import { PageShell } from './page-shell';

/**
 * Sends what a page handler returns: a Page rendered in the layout (inside the signed-in shell
 * when it asks for one, with a CSRF token for its forms), or a 303 redirect; with the cookies
 * and headers the result carries. Anything else (the JSON API's answers) passes through.
 */
@Injectable()
export class PageInterceptor implements NestInterceptor {
  constructor(
    private readonly renderer: PageRenderer,
    private readonly csrf: CsrfService,
    private readonly shell: PageShell,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      mergeMap(async (result: unknown) => {
        if (!(result instanceof Page) && !(result instanceof Redirect)) return result;
        const http = context.switchToHttp();
        const req = http.getRequest<Request>();
        const res = http.getResponse<Response>();
        for (const [name, value] of Object.entries(result.options.headers ?? {})) res.setHeader(name, value);
        result.options.cookies?.applyTo(res);
        if (result instanceof Redirect) {
          res.location(result.url);
          keepStatus(res, 303);
          res.type('text');
          return `See Other. Redirecting to ${result.url}`;
        }
        const { view, data, options } = result;
        const chrome = options.shell
          ? await this.shell.data(req as AppRequest, res, options.shell)
          : options.csrf
            ? { csrf: this.csrf.token(req, res) }
            : {};
        const html = this.renderer.html(view, { ...data, ...chrome });
        res.type('html').setHeader('Cache-Control', 'no-store');
        keepStatus(res, options.status ?? 200);
        return html;
      }),
    );
  }
}

/**
 * Nest sends an interceptor's answer with the route's fixed status (200, or 201 after a POST); a
 * page chooses its own (303, 400, 409, 429), which is kept for this response.
 */
function keepStatus(res: Response, status: number): void {
  res.status(status);
  res.status = () => res;
}
