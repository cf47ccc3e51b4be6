import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook must never reach unless private networks are allowed: this host and its
 * neighbours (loopback, private, link-local, unique-local, CGNAT), multicast, unspecified,
 * reserved and documentation ranges. IPv4 forms embedded in IPv6 (mapped, compatible, NAT64,
 * 6to4) are checked as the IPv4 address they carry.
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo among them)
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // old site-local
  ['ff00::', 8], // multicast
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

/** The 16 bytes of an IPv6 address in any textual form (with or without a trailing dotted quad). */
function ipv6Bytes(address: string): number[] {
  let text = address.split('%')[0].toLowerCase();
  const tail: number[] = [];
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    tail.push(...quad.slice(1, 5).map(Number));
    text = text.slice(0, quad.index) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '') : []);
  const left = groups(head);
  const right = groups(rest);
  const fill = rest === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  const words = [...left, ...fill, ...right].map((g) => parseInt(g, 16));
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The IPv4 address an IPv6 one carries (mapped, NAT64 or 6to4), if it carries one. */
function embeddedIpv4(address: string): string | null {
  const b = ipv6Bytes(address);
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12, 16).join('.'); // ::ffff:a.b.c.d
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return b.slice(12).join('.'); // 64:ff9b::/96
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6).join('.'); // 2002::/16
  return null;
}

/**
 * Why an address may not be reached by a webhook, or null when it may. Anything that is not
 * an IP address is refused too.
 */
export function forbiddenAddress(address: string): string | null {
  const family = isIP(address);
  if (family === 4) {
    return BLOCKED.check(address, 'ipv4') ? 'a private, loopback, link-local or reserved address' : null;
  }
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== null) return forbiddenAddress(v4);
    return BLOCKED.check(address, 'ipv6') ? 'a private, loopback, link-local or reserved address' : null;
  }
  return 'not an IP address';
}
