import { RedisSentinelEngine } from '../support/engines/redis';
import { ScaleOutStack } from '../support/scale-out';

/**
 * A Redis master with one replica, watched by a Sentinel, started by the test; two consoles
 * and two workers find the master through the Sentinel. The master is killed mid-run: the
 * replica is promoted, and every reset still arrives exactly once.
 */
describe('Redis Sentinel (master + replica), two consoles, two workers', () => {
  let redis: RedisSentinelEngine | undefined;
  const stack = new ScaleOutStack();

  beforeAll(async () => {
    redis = await RedisSentinelEngine.start(1, 1000);
    await stack.start(
      { REDIS_SENTINELS: redis.sentinelNodes, REDIS_SENTINEL_NAME: redis.name },
      { consoles: 2, workers: 2 },
    );
  }, 90_000);

  afterAll(async () => {
    await stack.stop();
    await redis?.stop();
  }, 90_000);

  it('loses no reset and sends none twice when the master fails over to its replica', async () => {
    const { admins, accounts } = await stack.seed(40);

    await stack.triggerOverConsoles(admins, accounts.slice(0, 20));
    const oldMaster = redis!.master;
    await redis!.killMaster();
    expect(await redis!.masterPort()).not.toBe(oldMaster);
    await stack.triggerOverConsoles(admins, accounts.slice(20));

    const result = await stack.delivered(accounts, 60_000);
    expect(result.recipients).toEqual(new Set(accounts.map((a) => a.email.toLowerCase())));
    expect(result.duplicates).toBe(0);
    expect(result.mails).toBe(40);
  }, 120_000);
});
