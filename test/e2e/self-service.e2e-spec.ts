import { describeFlows } from '../support/flows';
import { SELF_SERVICE_FLOWS } from '../support/self-service-flow';
import { embeddedStack } from '../support/stacks';

/** Customers help themselves, on the embedded default (SQLite, rate limits in the database). */
describeFlows('self-service (embedded mode)', SELF_SERVICE_FLOWS, () => embeddedStack({ TRUST_PROXY: 'true' }));
