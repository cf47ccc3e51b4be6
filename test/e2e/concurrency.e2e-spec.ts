import { RunningConsole, startConsole } from '../support/console-app';
import { CONCURRENCY_SCENARIOS, ConcurrencyContext } from '../support/concurrency-flow';
import { fileMailbox } from '../support/stacks';

/** Parallel attacks on counters, limits and single-use things, on the embedded default (SQLite). */
describe('concurrency (embedded mode)', () => {
  let sut: RunningConsole;
  let ctx: ConcurrencyContext;

  beforeAll(async () => {
    sut = await startConsole({ TRUST_PROXY: 'true' });
    ctx = { app: sut.app, settle: sut.settle, clock: sut.clock, mailbox: fileMailbox(sut) };
  });
  afterAll(() => sut?.close());

  it.each(CONCURRENCY_SCENARIOS)('%s', (_name, scenario) => scenario(ctx), 120_000);
});
