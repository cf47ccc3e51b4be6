import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { createValidationPipe, ProblemDetailsFilter, StartupLinesAtDebug, verifyJsonDepth } from '@lmp/common';
import { AppConfig } from '@lmp/config';
import { mountOps } from '../ops/mount-ops';
import { apiTokenBoundary } from './api-token-auth';
import { publicDir } from '../web/page-renderer';
import { mountOpenApi } from './openapi';

/** Everything main.ts and the tests both need, so tests run the app as it is deployed. */
export function configureApp(app: INestApplication, config: AppConfig): void {
  const express = app as NestExpressApplication;
  express.useLogger(new StartupLinesAtDebug(app.get(Logger)));
  express.set('trust proxy', config.trustProxy);
  express.disable('x-powered-by');
  express.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      hsts: config.secureCookies,
    }),
  );
  express.useStaticAssets(publicDir(), { prefix: '/assets/', maxAge: '1h', index: false });
  // Everything past the static assets may carry account data (a TOTP key, recovery codes, a
  // session's CSRF token), errors included: no browser or proxy keeps a copy.
  express.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  express.use(cookieParser());
  express.useBodyParser('json', { limit: '100kb', verify: verifyJsonDepth() });
  express.useBodyParser('urlencoded', { limit: '100kb', extended: false });
  express.use(apiTokenBoundary());
  mountOps(app);
  mountOpenApi(app);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
}
