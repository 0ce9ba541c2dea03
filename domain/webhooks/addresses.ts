// Which IP addresses a webhook may be delivered to: public unicast only. Private, loopback,
// link-local, CGNAT, multicast, unspecified and reserved ranges are refused, in IPv4 and IPv6
// (IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4 address they carry), so a
// registered URL cannot reach the platform's own network (SSRF).

/** IPv4 ranges no webhook may reach, as [first octets, prefix length]. */
const REFUSED_V4: [number[], number][] = [
  [[0], 8], // "this network", 0.0.0.0 unspecified
  [[10], 8], // private
  [[100, 64], 10], // CGNAT
  [[127], 8], // loopback
  [[169, 254], 16], // link-local (cloud metadata 169.254.169.254)
  [[172, 16], 12], // private
  [[192, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2], 24], // documentation
  [[192, 88, 99], 24], // 6to4 relay
  [[192, 168], 16], // private
  [[198, 18], 15], // benchmarking
  [[198, 51, 100], 24], // documentation
  [[203, 0, 113], 24], // documentation
  [[224], 4], // multicast
  [[240], 4], // reserved, 255.255.255.255 broadcast
];

function parseV4(address: string): number | null {
  const parts = address.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

function inV4Range(value: number, [octets, bits]: [number[], number]): boolean {
  let base = 0;
  for (let i = 0; i < 4; i++) base = base * 256 + (octets[i] ?? 0);
  const size = 2 ** (32 - bits);
  return value >= base && value < base + size;
}

/** Eight 16-bit groups, or null when `address` is not IPv6 text. */
function parseV6(address: string): number[] | null {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const value = parseV4(v4[1]!);
    if (value === null) return null;
    tail.push(Math.floor(value / 65536), value % 65536);
    text = text.slice(0, -v4[1]!.length) + (text.endsWith(':' + v4[1]) ? '0' : '');
    if (text.endsWith(':0')) text = text.slice(0, -2) + ':';
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const group = (s: string) => (s === '' ? [] : s.split(':'));
  const head = group(halves[0]!.replace(/:$/, ''));
  const rest = halves.length === 2 ? group(halves[1]!.replace(/:$/, '')) : [];
  const want = 8 - tail.length;
  const fill = halves.length === 2 ? want - head.length - rest.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== want)) return null;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...rest];
  if (groups.length !== want || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return [...groups.map((g) => parseInt(g, 16)), ...tail];
}

/** True when a webhook may be delivered to this IP address (public unicast). */
export function isPublicAddress(address: string): boolean {
  const v4 = parseV4(address);
  if (v4 !== null) return !REFUSED_V4.some((range) => inV4Range(v4, range));
  const g = parseV6(address);
  if (!g) return false;
  const [a, b] = [g[0]!, g[1]!];
  const embedded = g[6]! * 65536 + g[7]!;
  const allZeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
  if (allZeroTo(5) && g[5] === 0xffff) return isPublicAddress(v4Text(embedded));
  if (a === 0x64 && b === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    return isPublicAddress(v4Text(embedded));
  }
  if (allZeroTo(6)) return false; // :: unspecified, ::1 loopback, deprecated ::a.b.c.d
  if ((a & 0xfe00) === 0xfc00) return false; // fc00::/7 unique local
  if ((a & 0xffc0) === 0xfe80) return false; // fe80::/10 link-local
  if ((a & 0xffc0) === 0xfec0) return false; // fec0::/10 site-local (deprecated)
  if ((a & 0xff00) === 0xff00) return false; // ff00::/8 multicast
  if (a === 0x2001 && b === 0x0db8) return false; // documentation
  if (a === 0x0100 && g.slice(1, 4).every((x) => x === 0)) return false; // 100::/64 discard
  if (a === 0x2002) return isPublicAddress(v4Text(b * 65536 + g[2]!)); // 6to4 carries an IPv4
  return true;
}

function v4Text(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
