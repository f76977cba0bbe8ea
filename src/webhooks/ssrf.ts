import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a webhook may never reach: loopback, private, link-local, unique-local, shared,
 * multicast and reserved ranges, in both families. IPv6 addresses that carry an IPv4 address
 * (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged by the IPv4 address they carry.
 */
const blocked = new BlockList();
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
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The canonical (WHATWG) text of an IPv6 address: lower case, compressed, hex groups only. */
function canonicalIpv6(address: string): string | null {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

const hexPairToIpv4 = (hi: string, lo: string) => {
  const h = Number.parseInt(hi, 16);
  const l = Number.parseInt(lo, 16);
  return `${h >> 8}.${h & 255}.${l >> 8}.${l & 255}`;
};

/** The IPv4 address inside ::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::a.b.c.d or 2002:aabb:ccdd::/48. */
function embeddedIpv4(canonical: string): string | null {
  const tail = /^(?:::ffff:|::ffff:0:|::|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (tail) return hexPairToIpv4(tail[1]!, tail[2]!);
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4})(?::|$)/.exec(canonical);
  if (sixToFour) return hexPairToIpv4(sixToFour[1]!, sixToFour[2]!);
  return null;
}

/** Whether a literal IP address (either family, any zone ID) is one a webhook may not reach. Anything else is refused too. */
export function isBlockedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family !== 6) return true;
  const canonical = canonicalIpv6(bare);
  if (canonical === null) return true;
  const v4 = embeddedIpv4(canonical);
  if (v4 !== null && blocked.check(v4, 'ipv4')) return true;
  return blocked.check(canonical, 'ipv6');
}

export type UrlProblem = string | null;

const LOCAL_NAME = /(?:^|\.)(?:localhost|local|internal|localdomain|home\.arpa)$/;

/**
 * Checks a webhook URL without DNS: http(s) only, no credentials, and no blocked literal address
 * or local host name. WHATWG URL parsing already turns decimal (2130706433), hex (0x7f.1), octal
 * and short (127.1) IPv4 forms into dotted ones, so they are judged as what they are.
 */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): UrlProblem {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https';
  if (url.username || url.password) return 'must not carry credentials';
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (isIP(host)) return isBlockedAddress(host) ? 'points at a loopback, private, link-local or reserved address' : null;
  if (host === '' || LOCAL_NAME.test(host)) return 'points at a local host name';
  return null;
}

/** Resolves a host name to every address it has (the system resolver, /etc/hosts included). */
export type HostResolver = (hostname: string, family: number) => Promise<LookupAddress[]>;

export const systemResolver: HostResolver = (hostname, family) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, family }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/**
 * The check at registration: the URL itself, then (best effort, bounded) what its host name
 * resolves to now. A name that does not resolve, or not in time, passes: the check that counts is
 * the one at delivery time, on the address actually connected to.
 */
export async function webhookTargetProblem(raw: string, allowPrivate: boolean, resolve: HostResolver = systemResolver, timeoutMs = 2000): Promise<UrlProblem> {
  const problem = webhookUrlProblem(raw, allowPrivate);
  if (problem || allowPrivate) return problem;
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return null;
  let timer: NodeJS.Timeout | undefined;
  const addresses = await Promise.race([
    resolve(host, 0).catch(() => null),
    new Promise<null>((done) => {
      timer = setTimeout(() => done(null), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (addresses && addresses.length > 0 && addresses.every((a) => isBlockedAddress(a.address))) {
    return `resolves only to loopback, private, link-local or reserved addresses (${addresses.map((a) => a.address).join(', ')})`;
  }
  return null;
}

/**
 * The DNS lookup of every outgoing webhook connection: it drops blocked addresses, and the socket
 * connects to an address this function returned, so the address checked is the address used. A
 * name that resolves (or re-resolves, DNS rebinding) only to private addresses is never reached.
 */
export function guardedLookup(allowPrivate: boolean, resolve: HostResolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0)).then(
      (addresses) => {
        const allowed = allowPrivate ? addresses : addresses.filter((a) => !isBlockedAddress(a.address));
        if (allowed.length === 0) {
          const refused = Object.assign(new Error(`${hostname} resolves only to blocked addresses (${addresses.map((a) => a.address).join(', ') || 'none'})`), {
            code: 'EBLOCKEDADDRESS',
          });
          return callback(refused, '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
        return callback(null, allowed[0]!.address, allowed[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
