import { lookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may connect: public unicast addresses only, unless the team allows private ones.
 * The check is made on the address the socket connects to (the lookup the connection itself uses,
 * and a literal address as given), so a name that resolves to a public address when saved and to a
 * private one when delivering (DNS rebinding) is refused at the moment it matters.
 */
const METADATA = new Set(['169.254.169.254', '169.254.170.2', 'fd00:ec2:0:0:0:0:0:254']);

export function refusedAddress(address: string, allowPrivate: boolean): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return `${address} is not an IP address`;
  }
  // Cloud metadata services answer on these whatever a team allows: never a webhook's endpoint.
  if (METADATA.has(parsed.toNormalizedString())) return `${address} is a cloud metadata address`;
  // IPv4-compatible IPv6 (::a.b.c.d, deprecated) names an IPv4 host some stacks still route.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0))
    return `${address} is an IPv4-compatible IPv6 address`;
  const range = parsed.range();
  if (range === 'unicast') return null;
  const privateRanges = ['loopback', 'private', 'linkLocal', 'carrierGradeNat', 'uniqueLocal'];
  if (allowPrivate && privateRanges.includes(range)) return null;
  return `${address} is a ${range} address${privateRanges.includes(range) ? " (the team's settings refuse private addresses)" : ''}`;
}

/** A `lookup` for `http.request` that fails the connection when the name resolves to a refused address. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as { address: string; family: number }[];
      const refused = list.map((a) => refusedAddress(a.address, allowPrivate)).find((r) => r !== null);
      if (refused)
        return callback(
          Object.assign(new Error(`refused: ${hostname} resolves where it may not (${refused})`), { code: 'EADDRREFUSED' }),
          '',
          0,
        );
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
