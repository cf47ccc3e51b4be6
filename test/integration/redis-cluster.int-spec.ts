import { RedisClusterEngine, redisCli } from '../support/engines/redis';
import { ScaleOutStack } from '../support/scale-out';

/**
 * A Redis Cluster of three masters, each with a replica, started by the test; two consoles and
 * two workers on it. Every reset must arrive exactly once, also when the master holding the
 * mail queue is killed mid-run and its replica takes over.
 */
describe('Redis Cluster (3 masters + 3 replicas), two consoles, two workers', () => {
  let cluster: RedisClusterEngine | undefined;
  const stack = new ScaleOutStack();

  beforeAll(async () => {
    cluster = await RedisClusterEngine.start(3, 1000);
    await stack.start({ REDIS_CLUSTER_NODES: cluster.nodes }, { consoles: 2, workers: 2 });
  }, 90_000);

  afterAll(async () => {
    await stack.stop();
    await cluster?.stop();
  }, 90_000);

  it('delivers every reset once, with the mail queue master killed mid-run', async () => {
    const prefix = stack.env.QUEUE_PREFIX;
    const mailTag = `{${prefix}:mail}`;
    const { admins, accounts } = await stack.seed(40);
    const first = accounts.slice(0, 20);
    const second = accounts.slice(20);

    await stack.triggerOverConsoles(admins, first);
    // Each queue's keys share one hash slot: the mail queue lives on the master of its tag.
    const master = await cluster!.masterOf(mailTag);
    expect(await redisCli(master, 'KEYS', `${mailTag}:mail:*`)).toContain(`${mailTag}:mail:id`);
    expect(await redisCli(master, 'KEYS', `${prefix}:mail:*`)).toBe('');
    // Rate-limit counters (one per emailed address here) spread over the masters.
    const masters = new Set(
      await Promise.all(accounts.slice(0, 20).map((a) => cluster!.masterOf(`{link-mail:${a.email}}`))),
    );
    const holding = await Promise.all(
      [...masters].map(
        async (port) => (await redisCli(port, 'KEYS', `${prefix}:rl:*`)).split('\n').filter(Boolean).length,
      ),
    );
    expect(holding.filter((n) => n > 0).length).toBeGreaterThan(1);

    await cluster!.kill(master);
    // Triggered while the slot has no master, or just after its replica took over.
    await stack.triggerOverConsoles(admins, second);
    const promoted = await cluster!.waitFailover(mailTag, master);
    expect(promoted).not.toBe(master);

    const result = await stack.delivered(accounts, 60_000);
    expect(result.recipients).toEqual(new Set(accounts.map((a) => a.email.toLowerCase())));
    expect(result.duplicates).toBe(0);
    expect(result.mails).toBe(40);
  }, 120_000);

  it('shares rate-limit counters across the consoles', async () => {
    const [a, b] = stack.consoles;
    const { api } = await import('../support/http');
    const hit = (app: typeof a.app) =>
      api(app).post('/api/v1/auth/resend-verification').send({ email: 'nobody@litware.example.com' });
    // 3 per 15 minutes per address: two on one console, one on the other, then both refuse.
    expect((await hit(a.app)).status).toBe(202);
    expect((await hit(b.app)).status).toBe(202);
    expect((await hit(a.app)).status).toBe(202);
    expect((await hit(b.app)).status).toBe(429);
    expect((await hit(a.app)).status).toBe(429);
  });
});
