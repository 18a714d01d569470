import ipaddr from 'ipaddr.js';

/**
 * Which network addresses the video URL guard may connect to.
 *
 * Deny by default: an address is `public` only when ipaddr.js calls it plain unicast (and, for IPv6, it sits in the
 * global unicast block 2000::/3). Everything else is either `internal` (private, loopback, link-local, unique-local,
 * CGNAT, documentation, benchmarking, 6to4, Teredo, reserved…) — reachable only when the policy allows private
 * addresses or lists it explicitly — or `never` (unspecified, multicast, broadcast), which no policy opens: `0.0.0.0`
 * reaches this very machine on Linux, and a video is never served from a multicast group.
 *
 * IPv6 forms that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, SIIT
 * `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`) are judged by the IPv4 address inside them.
 */
export type AddressClass = 'public' | 'internal' | 'never';

export interface AddressVerdict {
  class: AddressClass;
  /** ipaddr.js's name for the range (e.g. `loopback`, `private`, `linkLocal`, `uniqueLocal`), for messages. */
  range: string;
}

const NEVER_RANGES = new Set(['unspecified', 'multicast', 'broadcast']);
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');
const SIIT = ipaddr.IPv6.parseCIDR('::ffff:0:0:0/96');

/** Classifies an IP address given as text; anything that does not parse as an address is `never`. */
export function classifyAddress(text: string): AddressVerdict {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(bare)) return { class: 'never', range: 'invalid' };
  return classifyParsed(ipaddr.parse(bare));
}

function classifyParsed(address: ipaddr.IPv4 | ipaddr.IPv6): AddressVerdict {
  if (address.kind() === 'ipv4') return classifyRange((address as ipaddr.IPv4).range(), true);
  const v6 = address as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded) return classifyParsed(embedded);
  const range = v6.range();
  return classifyRange(range, v6.match(GLOBAL_UNICAST_V6));
}

function classifyRange(range: string, inGlobalBlock: boolean): AddressVerdict {
  if (NEVER_RANGES.has(range)) return { class: 'never', range };
  if (range === 'unicast' && inGlobalBlock) return { class: 'public', range };
  return { class: 'internal', range: range === 'unicast' ? 'reserved' : range };
}

function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = address.range();
  // :: and ::1 are the IPv6 unspecified and loopback addresses, not IPv4-compatible ones.
  if (range === 'unspecified' || range === 'loopback') return null;
  if (
    address.isIPv4MappedAddress() ||
    address.match(IPV4_COMPATIBLE) ||
    address.match(SIIT) ||
    address.match(NAT64_WELL_KNOWN)
  ) {
    const bytes = address.toByteArray().slice(12);
    return new ipaddr.IPv4(bytes);
  }
  return null;
}

/** An address range: a network address and its prefix length. */
export type AddressRange = readonly [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses a list of addresses or CIDR ranges (`127.0.0.1`, `127.0.0.0/8`, `::1`); throws on a malformed entry. */
export function parseAddressRanges(entries: readonly string[]): AddressRange[] {
  return entries.map((entry) => {
    if (ipaddr.isValidCIDR(entry)) return ipaddr.parseCIDR(entry);
    if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      return [address, address.kind() === 'ipv4' ? 32 : 128];
    }
    throw new Error(`"${entry}" is not an IP address or CIDR range`);
  });
}

/** Whether an address (text) falls inside one of the given ranges; IPv4-mapped IPv6 addresses match IPv4 ranges. */
export function addressInRanges(text: string, ranges: readonly AddressRange[]): boolean {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(bare)) return false;
  const parsed = ipaddr.parse(bare);
  const candidates: Array<ipaddr.IPv4 | ipaddr.IPv6> = [parsed];
  if (parsed.kind() === 'ipv6') {
    const embedded = embeddedIPv4(parsed as ipaddr.IPv6);
    if (embedded) candidates.push(embedded);
  }
  return ranges.some(([network, bits]) =>
    candidates.some((candidate) => candidate.kind() === network.kind() && candidate.match(network, bits)),
  );
}
