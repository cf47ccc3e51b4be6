import { CONCURRENCY_FLOWS } from '../support/concurrency-flow';
import { describeFlows } from '../support/flows';
import { embeddedStack } from '../support/stacks';

/** Parallel attacks on counters, limits and single-use things, on the embedded default (SQLite). */
describeFlows('concurrency (embedded mode)', CONCURRENCY_FLOWS, () => embeddedStack({ TRUST_PROXY: 'true' }), {
  timeout: 120_000,
});
