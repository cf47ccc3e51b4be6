import { TestSmsGateway } from '../support/sms-gateway';
import { ProductionStack, startProductionStack } from '../support/stacks';
import { TWO_FACTOR_SCENARIOS, TwoFactorContext } from '../support/two-factor-flow';

/** Two-factor authentication on the production path: MariaDB, Redis, a worker, SMTP and an SMS gateway. */
describe('two-factor authentication (MariaDB + Redis + worker + SMTP + SMS gateway)', () => {
  let sms: TestSmsGateway;
  let stack: ProductionStack;
  let ctx: TwoFactorContext;

  beforeAll(async () => {
    sms = await new TestSmsGateway().start();
    stack = await startProductionStack({ SMS_GATEWAY_URL: sms.url });
    ctx = { app: stack.sut.app, settle: stack.sut.settle, clock: stack.sut.clock, sms, mailbox: stack.mailbox };
  });
  afterAll(async () => {
    await stack?.close();
    await sms?.stop();
  });

  it.each(TWO_FACTOR_SCENARIOS)('%s', (_name, scenario) => scenario(ctx));
});
