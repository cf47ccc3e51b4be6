import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Secrets never reach the logs: cookies, auth headers, passwords, tokens, query strings. */
export const LOG_REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.currentPassword',
  '*.newPassword',
];

/**
 * Structured JSON logs with a request id (taken from X-Request-Id when it looks like one).
 * LOG_FORMAT=pretty gives readable lines for a person at a terminal.
 */
export function loggerModule(level: string, app: string): DynamicModule {
  const pretty = process.env.LOG_FORMAT === 'pretty';
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { app },
      redact: LOG_REDACT,
      transport: pretty
        ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss' } }
        : undefined,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        // the path only: query strings can carry link tokens
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      autoLogging: {
        ignore: (req: IncomingMessage) =>
          (req.url ?? '').startsWith('/health') || (req.url ?? '').startsWith('/assets'),
      },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    },
  });
}
