import { describeFlows } from '../support/flows';
import { productionStack, withSmsGateway } from '../support/stacks';
import { TWO_FACTOR_FLOWS } from '../support/two-factor-flow';

/** Two-factor authentication on the production path: MariaDB, Redis, a worker, SMTP and an SMS gateway. */
describeFlows('two-factor authentication (MariaDB + Redis + worker + SMTP + SMS gateway)', TWO_FACTOR_FLOWS, () =>
  withSmsGateway(productionStack),
);
