import { RunningConsole, startConsole } from '../support/console-app';
import { CONCURRENCY_SCENARIOS, ConcurrencyContext } from '../support/concurrency-flow';
import { freshDatabase } from '../support/services';
import { fileMailbox, ProductionStack, startProductionStack } from '../support/stacks';

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

/** The same on MariaDB without Redis: the rate-limit counters then live in the database. */
describe('concurrency (MariaDB, limits in the database)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let sut: RunningConsole;
  let ctx: ConcurrencyContext;

  beforeAll(async () => {
    db = await freshDatabase();
    sut = await startConsole({ DATABASE_URL: db.url, MIGRATE_ON_START: 'true', TRUST_PROXY: 'true' });
    ctx = { app: sut.app, settle: sut.settle, clock: sut.clock, mailbox: fileMailbox(sut) };
  });
  afterAll(async () => {
    await sut?.close();
    await db?.drop();
  });

  it.each(CONCURRENCY_SCENARIOS)('%s', (_name, scenario) => scenario(ctx), 120_000);
});
