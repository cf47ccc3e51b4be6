import { HttpStatus } from '@nestjs/common';
import { jsonDepthExceeds, JsonTooDeepProblem, verifyJsonDepth } from './json-depth';

const buf = (s: string) => Buffer.from(s, 'utf8');

describe('jsonDepthExceeds', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(jsonDepthExceeds(buf('{"a":[1,{"b":[]}]}'), 4)).toBe(false);
    expect(jsonDepthExceeds(buf('{"a":[1,{"b":[[]]}]}'), 4)).toBe(true);
    expect(jsonDepthExceeds(buf(`{"a":"${'['.repeat(100)}"}`), 2)).toBe(false);
    expect(jsonDepthExceeds(buf(`{"a":"\\"${'{'.repeat(100)}"}`), 2)).toBe(false);
    expect(jsonDepthExceeds(buf(`{"a\\\\":[[[1]]]}`), 3)).toBe(true);
  });

  it('allows the limit itself, refuses one level more', () => {
    const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(jsonDepthExceeds(buf(nested(32)), 32)).toBe(false);
    expect(jsonDepthExceeds(buf(nested(33)), 32)).toBe(true);
    expect(jsonDepthExceeds(buf(nested(100_000)), 32)).toBe(true);
  });

  it('throws a 400 problem from the body parser hook', () => {
    expect(() => verifyJsonDepth(2)(null, null, buf('[[[1]]]'))).toThrow(JsonTooDeepProblem);
    try {
      verifyJsonDepth(2)(null, null, buf('[[[1]]]'));
    } catch (e) {
      expect((e as JsonTooDeepProblem).getStatus()).toBe(HttpStatus.BAD_REQUEST);
      expect((e as JsonTooDeepProblem).problem.type).toBe('/problems/json-too-deep');
    }
    expect(() => verifyJsonDepth(2)(null, null, buf('[[1]]'))).not.toThrow();
  });
});
