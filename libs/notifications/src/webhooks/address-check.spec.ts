import { forbiddenAddress } from './address-check';
import { vetHost, WebhookSendError } from './webhook-sender';

describe('forbiddenAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.1.2', 'loopback'],
    ['10.0.0.8', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.254', 'CGNAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'IPv6 link-local with a zone'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of link-local'],
    ['2002:7f00:1::', '6to4 of loopback'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['localhost', 'not an address'],
  ])('refuses %s (%s)', (address) => {
    expect(forbiddenAddress(address)).not.toBeNull();
  });

  it.each([
    ['93.184.216.34'],
    ['8.8.8.8'],
    ['1.1.1.1'],
    ['172.32.0.1'],
    ['100.128.0.1'],
    ['192.169.0.1'],
    ['2606:4700:4700::1111'],
    ['2a00:1450:4001:80b::200e'],
    ['::ffff:8.8.8.8'],
    ['64:ff9b::808:808'],
    ['2002:808:808::1'],
  ])('allows the public address %s', (address) => {
    expect(forbiddenAddress(address)).toBeNull();
  });
});

describe('vetHost', () => {
  it('refuses a literal private address unless private networks are allowed', async () => {
    await expect(vetHost('127.0.0.1', false)).rejects.toThrow(/refused: 127.0.0.1 resolves to 127.0.0.1/);
    await expect(vetHost('[::1]', false)).rejects.toBeInstanceOf(WebhookSendError);
    await expect(vetHost('127.0.0.1', true)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('resolves a name first and refuses it when it resolves to a private address', async () => {
    const err = (await vetHost('localhost', false).catch((e: unknown) => e)) as WebhookSendError;
    expect(err).toBeInstanceOf(WebhookSendError);
    expect(err.refused).toBe(true);
    expect(err.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
  });

  it('hands back a public literal address as it is, for the connection to use', async () => {
    await expect(vetHost('93.184.216.34', false)).resolves.toEqual({ address: '93.184.216.34', family: 4 });
  });
});
