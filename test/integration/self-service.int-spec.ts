import { describeFlows } from '../support/flows';
import { SELF_SERVICE_FLOWS } from '../support/self-service-flow';
import { productionStack } from '../support/stacks';

/** Self-service on the production path: MariaDB, rate limits in Redis, mail through a worker and SMTP. */
describeFlows('self-service (MariaDB + Redis + worker + SMTP)', SELF_SERVICE_FLOWS, () =>
  productionStack({ TRUST_PROXY: 'true' }),
);
