import { CONCURRENCY_FLOWS } from '../support/concurrency-flow';
import { describeFlows } from '../support/flows';
import { mariadbStack, productionStack } from '../support/stacks';

/** Parallel attacks on counters, limits and single-use things: MariaDB, Redis, a worker and SMTP. */
describeFlows(
  'concurrency (MariaDB + Redis + worker + SMTP)',
  CONCURRENCY_FLOWS,
  () => productionStack({ TRUST_PROXY: 'true' }),
  { timeout: 120_000 },
);

/** The same on MariaDB without Redis: the rate-limit counters then live in the database. */
describeFlows(
  'concurrency (MariaDB, limits in the database)',
  CONCURRENCY_FLOWS,
  () => mariadbStack({ TRUST_PROXY: 'true' }),
  { timeout: 120_000 },
);
