import { ACCOUNT_FLOWS } from '../support/account-flow';
import { describeFlows } from '../support/flows';
import { embeddedStack } from '../support/stacks';

/** My Profile and company users, on the embedded default (SQLite, mail as files). */
describeFlows('my account and company users (embedded mode)', ACCOUNT_FLOWS, () => embeddedStack());
