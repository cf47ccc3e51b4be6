import { checkMariaDb, checkRedis } from '../support/services';

/** The integration tier never skips: without its services it fails, with one clear line. */
export default async function globalSetup(): Promise<void> {
  await checkMariaDb();
  await checkRedis();
}
