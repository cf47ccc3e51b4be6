import { ForbiddenException, Inject, Injectable, NestMiddleware, UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '@lmp/config';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The JSON API's defence against cross-site requests: a body must be application/json (which
 * a plain HTML form cannot send), and a browser request from another origin is refused.
 */
@Injectable()
export class JsonOnlyMiddleware implements NestMiddleware {
  private readonly origin: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.origin = new URL(config.publicUrl).origin;
  }

  use(req: Request, _res: Response, next: NextFunction): void {
    if (!UNSAFE.has(req.method)) return next();
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if ((hasBody || req.headers['content-type']) && !req.is('application/json')) {
      return next(new UnsupportedMediaTypeException('Request bodies must be application/json.'));
    }
    const origin = req.get('origin');
    if (req.get('sec-fetch-site') === 'cross-site' || (origin && origin !== 'null' && origin !== this.origin)) {
      return next(new ForbiddenException('Cross-site requests are not accepted.'));
    }
    next();
  }
}
