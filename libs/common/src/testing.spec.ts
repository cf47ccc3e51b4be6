import { Inject, Injectable } from '@nestjs/common';
import { Clock } from './clock';
import { automock, newTestService, TEST_NOW } from './testing';

class Store {
  read(): string {
    return 'real';
  }
}
class CachedStore extends Store {
  forget(): void {}
}
const SETTINGS = Symbol('settings');

@Injectable()
class Greeter {
  constructor(
    private readonly store: CachedStore,
    private readonly clock: Clock,
    @Inject(SETTINGS) private readonly settings: { greeting: string },
  ) {}

  greet(): string {
    return `${this.settings.greeting} ${this.store.read()} at ${this.clock.now().toISOString()}`;
  }
}

describe('newTestService', () => {
  it('mocks every method of a class and of its base classes, answering nothing until told', () => {
    const store = automock(CachedStore);
    expect(store.read()).toBeUndefined();
    expect(jest.isMockFunction(store.forget)).toBe(true);
  });

  it('builds the service from its constructor types, with a fixed clock and the given tokens', () => {
    const { sut, mock } = newTestService(Greeter, [[SETTINGS, { greeting: 'hello' }]]);
    mock(CachedStore).read.mockReturnValue('mocked');

    expect(sut.greet()).toBe(`hello mocked at ${TEST_NOW.toISOString()}`);
  });

  it('says which dependency a spec forgot to give', () => {
    expect(() => newTestService(Greeter)).toThrow('Greeter: parameter 2 (Symbol(settings)) must be given');
    const { mock } = newTestService(Greeter, [[SETTINGS, {}]]);
    expect(() => mock(Store)).toThrow('Greeter takes no Store');
  });
});
