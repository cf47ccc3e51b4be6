import { selfServiceSuite } from '../support/self-service-flow';
import { startProductionStack } from '../support/stacks';

/** Self-service on the production path: MariaDB, rate limits in Redis, mail through a worker and SMTP. */
describe('self-service (MariaDB + Redis + worker + SMTP)', () => {
  selfServiceSuite(async () => {
    const stack = await startProductionStack({ TRUST_PROXY: 'true' });
    const { sut } = stack;
    return {
      ctx: { app: sut.app, clock: sut.clock, settle: sut.settle, mailbox: stack.mailbox },
      close: () => stack.close(),
    };
  });
});
