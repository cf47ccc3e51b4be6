import { ACCOUNT_FLOWS } from '../support/account-flow';
import { describeFlows } from '../support/flows';
import { productionStack } from '../support/stacks';

/** My Profile and company users on the production path: MariaDB, Redis, a worker and SMTP. */
describeFlows('my account and company users (MariaDB + Redis + worker + SMTP)', ACCOUNT_FLOWS, () => productionStack());
