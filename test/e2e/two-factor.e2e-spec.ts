import { describeFlows } from '../support/flows';
import { embeddedStack, withSmsGateway } from '../support/stacks';
import { TWO_FACTOR_FLOWS } from '../support/two-factor-flow';

/** Two-factor authentication through the JSON API, on the embedded default (SQLite, mail as files). */
describeFlows('two-factor authentication (embedded mode)', TWO_FACTOR_FLOWS, () => withSmsGateway(embeddedStack));
