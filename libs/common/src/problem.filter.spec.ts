import {
  ArgumentsHost,
  BadRequestException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { ProblemDetailsFilter, toProblem } from './problem.filter';
import {
  ConflictProblem,
  InvalidTokenProblem,
  NotFoundProblem,
  PROBLEM_CONTENT_TYPE,
  ProblemException,
  ValidationProblem,
} from './problem';

describe('toProblem', () => {
  describe('ProblemException', () => {
    it('keeps its type, title, detail and field errors', () => {
      const errors = [{ field: 'email', message: 'must be an email address' }];

      expect(toProblem(new ValidationProblem(errors))).toEqual({
        type: '/problems/validation',
        title: 'Invalid request',
        status: 400,
        detail: 'The request has invalid fields.',
        errors,
      });
    });

    it('keeps the status of each named problem', () => {
      expect(toProblem(new NotFoundProblem('customer'))).toEqual({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: 'No such customer.',
      });
      expect(toProblem(new ConflictProblem('Email already in use.')).status).toBe(409);
      expect(toProblem(new InvalidTokenProblem())).toMatchObject({
        type: '/problems/invalid-token',
        status: 400,
        errors: [{ field: 'token', message: 'invalid, expired or already used' }],
      });
    });

    it('uses the status given to a custom problem', () => {
      const sut = toProblem(new ProblemException(422, { type: '/problems/custom', title: 'Custom' }));

      expect(sut).toEqual({ type: '/problems/custom', title: 'Custom', status: 422 });
    });
  });

  describe('HttpException', () => {
    it('takes the title from the status code and drops a detail that only repeats it', () => {
      expect(toProblem(new NotFoundException())).toEqual({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: undefined,
      });
    });

    it('keeps a message as the detail', () => {
      expect(toProblem(new ForbiddenException('The form expired. Reload the page and try again.'))).toEqual({
        type: 'about:blank',
        title: 'Forbidden',
        status: 403,
        detail: 'The form expired. Reload the page and try again.',
      });
    });

    it('joins a list of messages', () => {
      expect(toProblem(new BadRequestException(['name is too long', 'country is required'])).detail).toBe(
        'name is too long; country is required',
      );
    });

    it('uses a string response as the detail', () => {
      expect(toProblem(new HttpException('Slow down', HttpStatus.TOO_MANY_REQUESTS))).toEqual({
        type: 'about:blank',
        title: 'Too Many Requests',
        status: 429,
        detail: 'Slow down',
      });
    });
  });

  describe('errors from body-parser', () => {
    it('answers broken JSON with 400 "not valid JSON" and does not echo the parser message', () => {
      const err = Object.assign(new SyntaxError('Unexpected token } in JSON at position 10: {"password":"hunter2"}'), {
        status: 400,
        type: 'entity.parse.failed',
      });

      const sut = toProblem(err);

      expect(sut).toEqual({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'The request body is not valid JSON.',
      });
      expect(JSON.stringify(sut)).not.toContain('hunter2');
    });

    it('answers a body that is too large with 413', () => {
      const err = Object.assign(new Error('request entity too large'), { status: 413 });

      expect(toProblem(err)).toEqual({
        type: 'about:blank',
        title: 'Payload Too Large',
        status: 413,
        detail: undefined,
      });
    });
  });

  describe('unknown errors', () => {
    it('answer a bare 500 that never leaks the message', () => {
      const err = new Error('ER_ACCESS_DENIED_ERROR: Access denied for user lmp@10.0.0.5 (password: s3cret)');

      const sut = toProblem(err);

      expect(sut).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500 });
      expect(JSON.stringify(sut)).not.toMatch(/s3cret|ER_ACCESS/);
    });

    it('treat an error with a 5xx status as a bare 500 too', () => {
      expect(toProblem(Object.assign(new Error('upstream exploded'), { status: 503 }))).toEqual({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
      });
    });

    it.each([[null], [undefined], ['a string'], [42]])('treat a thrown %j as a bare 500', (thrown) => {
      expect(toProblem(thrown)).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500 });
    });
  });
});

describe(ProblemDetailsFilter.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  function fakeHttp(headersSent = false) {
    const headers = new Map<string, string>();
    const res = {
      headersSent,
      statusCode: 200,
      contentType: '',
      body: '',
      getHeader: (name: string) => headers.get(name),
      setHeader: (name: string, value: string) => headers.set(name, value),
      status(code: number) {
        this.statusCode = code;
        return this;
      },
      type(t: string) {
        this.contentType = t;
        return this;
      },
      send(body: string) {
        this.body = body;
        return this;
      },
    };
    const host = {
      switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ path: '/api/v1/x' }) }),
    } as unknown as ArgumentsHost;
    return { res, headers, host };
  }

  it('answers with an application/problem+json body and the problem status', () => {
    const { res, host } = fakeHttp();

    new ProblemDetailsFilter().catch(new NotFoundProblem('customer'), host);

    expect(res.statusCode).toBe(404);
    expect(res.contentType).toBe(PROBLEM_CONTENT_TYPE);
    expect(JSON.parse(res.body)).toMatchObject({ status: 404, detail: 'No such customer.' });
  });

  it('hides an unknown error behind a bare 500', () => {
    const { res, host } = fakeHttp();

    new ProblemDetailsFilter().catch(new Error('secret stack detail'), host);

    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
  });

  it('adds Retry-After to a 429 when none is set', () => {
    const { headers, host } = fakeHttp();

    new ProblemDetailsFilter().catch(new HttpException('Slow down', 429), host);

    expect(headers.get('Retry-After')).toBe('60');
  });

  it('writes nothing once the headers are sent', () => {
    const { res, host } = fakeHttp(true);
    const send = jest.spyOn(res, 'send');

    new ProblemDetailsFilter().catch(new Error('late'), host);

    expect(send).not.toHaveBeenCalled();
  });
});
