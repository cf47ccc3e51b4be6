import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PROBLEM_CONTENT_TYPE } from '@lmp/common';
import { SESSION_COOKIE } from '@lmp/identity';
import { ProblemDetailsResponse } from './responses';

export const OPENAPI_PATH = '/api/openapi.json';
export const API_DOCS_PATH = '/api/docs';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The API's OpenAPI 3 document, made from the code: the @nestjs/swagger plugin (nest-cli.json,
 * and jest.config.js for the tests) reads DTOs, `responses.ts` classes and controller return
 * types. Only the JSON API (/api/v1) is in it; pages, health and metrics are not. Every
 * operation gets problem details as its error answer.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('LMP API')
    .setVersion('1')
    .setDescription(
      'The partner console and account API. JSON bodies (`application/json`); every error is a ' +
        'problem details object (RFC 9457, `application/problem+json`). Partner routes take a ' +
        'session or a partner API token (`Authorization: Bearer lmp_pat_…`, routes naming an ' +
        '`x-required-scopes`); every other route takes the session cookie.',
    )
    .addCookieAuth(
      SESSION_COOKIE,
      { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Set by POST /api/v1/auth/login.' },
      'session',
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'lmp_pat_…',
        description: 'A partner API token (Settings → API tokens), limited to its scopes.',
      },
      'token',
    )
    .build();
  const doc = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetailsResponse],
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  for (const path of Object.keys(doc.paths)) if (!path.startsWith('/api/v1/')) delete doc.paths[path];
  const problem = {
    description: 'An error, as problem details (RFC 9457).',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDetailsResponse' } } },
  };
  for (const item of Object.values(doc.paths))
    for (const method of METHODS) {
      const op = item[method];
      if (op) op.responses = { ...op.responses, default: problem };
    }
  return doc;
}

/** The swagger-ui page's HTML: no inline script or style, so the console's strict CSP holds. */
const DOCS_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>LMP API</title>
  <link rel="stylesheet" href="${API_DOCS_PATH}/swagger-ui.css">
  <link rel="stylesheet" href="/assets/api-docs.css">
</head>
<body>
  <main id="swagger-ui"></main>
  <script src="${API_DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script src="/assets/api-docs.js"></script>
</body>
</html>
`;

/** Where swagger-ui's files are: the copy @nestjs/swagger depends on (resolved at run time). */
function swaggerUiDir(): string {
  const swagger = createRequire(__filename).resolve('@nestjs/swagger/package.json');
  return dirname(createRequire(swagger).resolve('swagger-ui-dist/package.json'));
}

/**
 * GET /api/openapi.json (built on first request, then kept) and the browsable page at
 * /api/docs (swagger-ui, from this origin). Both are public: the contract is no secret.
 */
export function mountOpenApi(app: INestApplication): void {
  const http = app.getHttpAdapter();
  let doc: OpenAPIObject | undefined;
  http.get(OPENAPI_PATH, (_req: Request, res: Response) => {
    doc ??= buildOpenApiDocument(app);
    res.json(doc);
  });
  http.get(API_DOCS_PATH, (_req: Request, res: Response) => {
    res.type('html').send(DOCS_HTML);
  });
  const assets = swaggerUiDir();
  for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js']) {
    http.get(`${API_DOCS_PATH}/${file}`, (_req: Request, res: Response) => {
      // The same for everyone: a browser may keep it for an hour.
      res.setHeader('Cache-Control', 'public, max-age=3600');
      res.sendFile(join(assets, file));
    });
  }
}
