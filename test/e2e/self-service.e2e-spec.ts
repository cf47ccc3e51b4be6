import { startConsole } from '../support/console-app';
import { mailsTo } from '../support/mail';
import { selfServiceSuite } from '../support/self-service-flow';

/** Customers help themselves, on the embedded default (SQLite, rate limits in the database). */
describe('self-service (embedded mode)', () => {
  selfServiceSuite(async () => {
    const sut = await startConsole({ TRUST_PROXY: 'true' });
    return {
      close: () => sut.close(),
      ctx: {
        app: sut.app,
        clock: sut.clock,
        settle: sut.settle,
        mailbox: {
          waitFor: async (to, subject) => {
            await sut.settle();
            const found = (await mailsTo(sut.dataDir, to, subject)).sort((a, b) => a.date - b.date);
            if (!found.length) throw new Error(`no mail "${subject}" to ${to}`);
            return found[found.length - 1];
          },
          count: async (to, subject) => (await mailsTo(sut.dataDir, to, subject)).length,
        },
      },
    };
  });
});
