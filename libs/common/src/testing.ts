/**
 * Unit-test support: a service built with every constructor dependency replaced by a jest mock,
 * so that a spec exercises the service's own rules and nothing below it. Imported by specs only
 * (`@lmp/common/testing`), never from the library's index.
 */
import 'reflect-metadata';
import { Clock } from './clock';

type Class<T = unknown> = abstract new (...args: never[]) => T;
type Token = Class | string | symbol;

/** The moment a test service's clock shows. */
export const TEST_NOW = new Date('2026-03-02T10:00:00.000Z');

/**
 * An object with every method of `type` (and of its base classes) as a bare `jest.fn()`:
 * each returns undefined until the spec gives it an answer.
 */
export function automock<T>(type: Class<T>): jest.Mocked<T> {
  const mock: Record<string, jest.Mock> = {};
  for (let proto = type.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || name in mock) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (typeof descriptor?.value === 'function') mock[name] = jest.fn();
    }
  }
  return mock as unknown as jest.Mocked<T>;
}

export interface TestService<T> {
  sut: T;
  /** The mock given to the service for a class dependency. */
  mock<D>(type: Class<D>): jest.Mocked<D>;
}

/**
 * Builds `Service` as Nest would, from its constructor's parameter types, with each dependency a
 * jest auto-mock; the Clock shows TEST_NOW. Dependencies injected by a token (`@Inject(TOKEN)`)
 * or needing a working fake are passed in `given`, keyed by their class or token.
 */
export function newTestService<T>(Service: Class<T>, given: Array<[Token, unknown]> = []): TestService<T> {
  const types: Array<Class | undefined> = Reflect.getMetadata('design:paramtypes', Service) ?? [];
  const tokens: Array<{ index: number; param: Token }> = Reflect.getMetadata('self:paramtypes', Service) ?? [];
  const provided = new Map<Token, unknown>(given);
  const mocks = new Map<Token, unknown>();
  const args = types.map((type, index) => {
    const token = tokens.find((t) => t.index === index)?.param ?? type;
    if (token === undefined) throw new Error(`${Service.name}: parameter ${index} has no type to mock`);
    if (provided.has(token)) return provided.get(token);
    if (typeof token !== 'function' || token === Object)
      throw new Error(`${Service.name}: parameter ${index} (${String(token)}) must be given`);
    const mock = token === Clock ? { now: jest.fn(() => new Date(TEST_NOW)) } : automock(token);
    mocks.set(token, mock);
    return mock;
  });
  const sut = new (Service as new (...a: unknown[]) => T)(...args);
  return {
    sut,
    mock<D>(type: Class<D>): jest.Mocked<D> {
      if (provided.has(type)) return provided.get(type) as jest.Mocked<D>;
      if (!mocks.has(type)) throw new Error(`${Service.name} takes no ${type.name}`);
      return mocks.get(type) as jest.Mocked<D>;
    },
  };
}
