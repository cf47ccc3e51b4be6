import { CONCURRENCY_SCENARIOS, ConcurrencyContext } from '../support/concurrency-flow';
import { ProductionStack, startProductionStack } from '../support/stacks';

/** Parallel attacks on counters, limits and single-use things: MariaDB, Redis, a worker and SMTP. */
describe('concurrency (MariaDB + Redis + worker + SMTP)', () => {
  let stack: ProductionStack;
  let ctx: ConcurrencyContext;

  beforeAll(async () => {
    stack = await startProductionStack({ TRUST_PROXY: 'true' });
    ctx = { app: stack.sut.app, settle: stack.sut.settle, clock: stack.sut.clock, mailbox: stack.mailbox };
  });
  afterAll(() => stack?.close());

  it.each(CONCURRENCY_SCENARIOS)('%s', (_name, scenario) => scenario(ctx), 120_000);
});
