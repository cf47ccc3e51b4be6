import { HttpStatus } from '@nestjs/common';
import { ProblemException } from './problem';

/** No request body of the API nests deeper than a few levels; 32 leaves room and bounds recursion. */
export const MAX_JSON_DEPTH = 32;

export class JsonTooDeepProblem extends ProblemException {
  constructor(max: number) {
    super(HttpStatus.BAD_REQUEST, {
      type: '/problems/json-too-deep',
      title: 'Request body nested too deeply',
      detail: `JSON bodies may nest arrays and objects at most ${max} levels deep.`,
    });
  }
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of arrays and objects in JSON text, read from the raw bytes before parsing,
 * so that a body nested thousands of levels never reaches the recursive code after JSON.parse
 * (class-transformer, class-validator), where it overflowed the stack. Brackets inside strings
 * do not count. One pass, no allocation; it stops as soon as `max` is exceeded.
 */
export function jsonDepthExceeds(body: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** body-parser's `verify` hook: refuses too deep a body with a 400 problem before it is parsed. */
export function verifyJsonDepth(max = MAX_JSON_DEPTH) {
  return (_req: unknown, _res: unknown, body: Buffer): void => {
    if (jsonDepthExceeds(body, max)) throw new JsonTooDeepProblem(max);
  };
}
