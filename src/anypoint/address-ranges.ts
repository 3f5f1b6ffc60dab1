import { BlockList, isIP } from 'node:net';

/**
 * The address ranges a spec download must not reach unless DOWNLOAD_ALLOW_PRIVATE_ADDRESSES is
 * on: everything that is not the public internet, where a link from upstream data could turn
 * the gateway into a door to internal services (SSRF) or a cloud's metadata endpoint.
 */
const RANGES: Array<{ kind: string; subnets: Array<[string, number]> }> = [
  { kind: 'loopback', subnets: [['127.0.0.0', 8], ['::1', 128]] },
  { kind: 'private', subnets: [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['fc00::', 7], ['fec0::', 10]] },
  { kind: 'link-local', subnets: [['169.254.0.0', 16], ['fe80::', 10]] },
  { kind: 'unspecified', subnets: [['0.0.0.0', 8], ['::', 128]] },
  // Carrier-grade NAT space: some clouds put their metadata service here (100.100.100.200).
  { kind: 'shared (carrier-grade NAT)', subnets: [['100.64.0.0', 10]] },
  { kind: 'multicast', subnets: [['224.0.0.0', 4], ['ff00::', 8]] },
  { kind: 'reserved', subnets: [['240.0.0.0', 4]] },
  // IPv6 prefixes that carry an IPv4 address (NAT64, 6to4): they could reach a private one.
  { kind: 'IPv4 translation (NAT64, 6to4)', subnets: [['64:ff9b::', 96], ['64:ff9b:1::', 48], ['2002::', 16]] },
];

const lists = RANGES.map(({ kind, subnets }) => {
  const list = new BlockList();
  for (const [network, prefix] of subnets) list.addSubnet(network, prefix, isIP(network) === 6 ? 'ipv6' : 'ipv4');
  return { kind, list };
});

/**
 * The kind of non-public range `address` is in ("loopback", "private", ...), or null for a
 * public address. IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) count as the IPv4 address they
 * carry; anything that is not an IP address at all is treated as non-public.
 */
export function nonPublicRange(address: string): string | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 0) return 'unparseable';
  const type = family === 6 ? 'ipv6' : 'ipv4';
  return lists.find(({ list }) => list.check(bare, type))?.kind ?? null;
}

/** An IP literal as URL.hostname spells it: dotted IPv4, or IPv6 in brackets. */
export function isIpLiteral(hostname: string): boolean {
  return isIP(hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname) !== 0;
}
