import { RedisConfig } from '@lmp/config';
import { bullPrefix } from './redis';

describe(bullPrefix.name, () => {
  const cluster: RedisConfig = { mode: 'cluster', nodes: [{ host: 'r1', port: 7000 }], tls: false };
  const single: RedisConfig = { mode: 'standalone', url: 'redis://r1:6379' };

  it('gives each queue a hash tag of its own on a Cluster: one slot per queue, queues spread over the slots', () => {
    expect(bullPrefix(cluster, 'lmp', 'mail')).toBe('{lmp:mail}');
    expect(bullPrefix(cluster, 'lmp', 'sms')).toBe('{lmp:sms}');
    expect(bullPrefix(cluster, 'staging', 'mail')).toBe('{staging:mail}');
  });

  it('keeps the plain prefix on one server or behind Sentinels, where every key is on one node anyway', () => {
    expect(bullPrefix(single, 'lmp', 'mail')).toBe('lmp');
    expect(
      bullPrefix(
        { mode: 'sentinel', sentinels: [{ host: 's1', port: 26379 }], name: 'm', db: 0, tls: false },
        'lmp',
        'mail',
      ),
    ).toBe('lmp');
  });
});
