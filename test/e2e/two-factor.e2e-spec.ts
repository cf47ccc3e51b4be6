import { RunningConsole, startConsole } from '../support/console-app';
import { TestSmsGateway } from '../support/sms-gateway';
import { fileMailbox } from '../support/stacks';
import { TWO_FACTOR_SCENARIOS, TwoFactorContext } from '../support/two-factor-flow';

/** Two-factor authentication through the JSON API, on the embedded default (SQLite, mail as files). */
describe('two-factor authentication (embedded mode)', () => {
  let sut: RunningConsole;
  let sms: TestSmsGateway;
  let ctx: TwoFactorContext;

  beforeAll(async () => {
    sms = await new TestSmsGateway().start();
    sut = await startConsole({ SMS_GATEWAY_URL: sms.url });
    ctx = { app: sut.app, settle: sut.settle, clock: sut.clock, sms, mailbox: fileMailbox(sut) };
  });
  afterAll(async () => {
    await sut?.close();
    await sms?.stop();
  });

  it.each(TWO_FACTOR_SCENARIOS)('%s', (_name, scenario) => scenario(ctx));
});
