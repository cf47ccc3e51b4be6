import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE, toProblem } from '@lmp/common';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { BullMqJobQueue, JobQueue, QueueAdminService } from '@lmp/notifications';
import { SESSION_COOKIE, SessionService } from '@lmp/identity';
import { JsonOnlyMiddleware } from '../http/json-only.middleware';
import { PageRenderer } from '../web/page-renderer';

export const OPS_QUEUES_PATH = '/ops/queues';

/**
 * Operators only: anonymous visitors are sent to sign in, other users get 403. The dashboard's
 * own inline styles need a looser style-src than the rest of the console.
 */
export function opsAccess(sessions: SessionService, pages: PageRenderer) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const raw = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
      const found = raw ? await sessions.resolve(raw) : null;
      if (!found || !found.session.mfaPassed) {
        res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      if (found.user.role !== 'platform_admin') {
        pages.send(
          res,
          'web/error',
          { title: 'Forbidden', status: 403, detail: 'The queue dashboard is for operators.' },
          403,
        );
        return;
      }
      res.setHeader(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
      );
      next();
    } catch (err) {
      next(err);
    }
  };
}

/**
 * The dashboard's own API changes queues (adds, retries, cleans jobs) outside Nest, so the page
 * CSRF guard does not see it: like the JSON API, it takes only JSON bodies and no request from
 * another origin, which an HTML form or another site cannot send.
 */
export function sameOriginJsonOnly(config: AppConfig) {
  const rule = new JsonOnlyMiddleware(config);
  return (req: Request, res: Response, next: NextFunction) =>
    rule.use(req, res, (err?: unknown) => {
      if (err === undefined) return next();
      const problem = toProblem(err);
      res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
    });
}

/**
 * /ops/queues: bull-board over the BullMQ queues; in the embedded mode (no Redis), a page with
 * the outbox counts and dead messages, since jobs run in-process.
 */
export function mountOps(app: INestApplication): void {
  const express = app as NestExpressApplication;
  const pages = app.get(PageRenderer);
  const guard = opsAccess(app.get(SessionService), pages);
  const sameOrigin = sameOriginJsonOnly(app.get<AppConfig>(APP_CONFIG));
  const queue = app.get(JobQueue);
  if (queue instanceof BullMqJobQueue) {
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath(OPS_QUEUES_PATH);
    createBullBoard({
      queues: Object.values(queue.queues).map((q) => new BullMQAdapter(q, { allowRetries: true })),
      serverAdapter,
      options: { uiConfig: { boardTitle: 'LMP queues' } },
    });
    express.use(OPS_QUEUES_PATH, sameOrigin, guard, serverAdapter.getRouter());
    return;
  }
  const admin = app.get(QueueAdminService);
  express.use(OPS_QUEUES_PATH, sameOrigin, guard, (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET') return next();
    admin.status().then(
      (status) =>
        pages.send(res, 'ops/ops-queues', {
          title: 'Queues',
          wide: true,
          outbox: Object.entries(status.outbox).map(([name, count]) => ({ name, count })),
          overdue: status.overdue,
          dead: status.dead,
        }),
      next,
    );
  });
}
