import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, LoggerService } from '@nestjs/common';
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

/**
 * Nest's own start-up lines: a line per module and per route (some 80), and "starting" /
 * "started". At info they bury the start banner at a terminal, and nobody reads them there.
 */
const STARTUP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * The app's logger with Nest's start-up lines at debug instead of info (LOG_LEVEL=debug shows
 * them). Everything else, and every warning or error, passes through unchanged.
 */
export class StartupLinesAtDebug implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    if (typeof context === 'string' && STARTUP_CONTEXTS.has(context) && this.inner.debug) {
      this.inner.debug(message, ...params);
    } else {
      this.inner.log(message, ...params);
    }
  }

  error(message: unknown, ...params: unknown[]): void {
    this.inner.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug?.(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose?.(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    if (this.inner.fatal) this.inner.fatal(message, ...params);
    else this.inner.error(message, ...params);
  }
}
