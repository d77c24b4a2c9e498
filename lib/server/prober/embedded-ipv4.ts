/**
 * IPv6 spellings that carry an IPv4 address. A deny rule written for 169.254.0.0/16 must also stop
 * `[::ffff:169.254.169.254]`, `[::169.254.169.254]`, `[64:ff9b::a9fe:a9fe]`, `[2002:a9fe:a9fe::]`…,
 * since the kernel, a NAT64 gateway or a tunnel delivers them to that IPv4 address.
 */

const GROUPS = 8;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;
const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function dottedGroups(text: string): [number, number] | undefined {
  const octets = DOTTED.exec(text)?.slice(1).map(Number);
  if (!octets || octets.some((octet) => octet > 255)) return undefined;
  const [a = 0, b = 0, c = 0, d = 0] = octets;
  return [(a << 8) | b, (c << 8) | d];
}

function groupsOf(part: string, allowDottedTail: boolean): number[] | undefined {
  if (part === '') return [];
  const pieces = part.split(':');
  const groups: number[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (HEX_GROUP.test(piece)) groups.push(parseInt(piece, 16));
    else {
      const dotted = allowDottedTail && index === pieces.length - 1 ? dottedGroups(piece) : undefined;
      if (!dotted) return undefined;
      groups.push(...dotted);
    }
  }
  return groups;
}

/** The eight 16-bit groups of an IPv6 address in any spelling (`::`, dotted tail, `%zone`); undefined if it is not one. */
export function ipv6Groups(text: string): number[] | undefined {
  const address = text.split('%')[0] ?? '';
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  if (halves.length === 1) {
    const groups = groupsOf(address, true);
    return groups?.length === GROUPS ? groups : undefined;
  }
  const head = groupsOf(halves[0] ?? '', false);
  const tail = groupsOf(halves[1] ?? '', true);
  if (!head || !tail || head.length + tail.length > GROUPS - 1) return undefined;
  return [...head, ...new Array<number>(GROUPS - head.length - tail.length).fill(0), ...tail];
}

const ipv4 = (high: number, low: number): string => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
const octets = (...values: number[]): string => values.join('.');

/**
 * Every IPv4 address `ip` may reach: IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated
 * `::ffff:0:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96` and the local-use
 * `64:ff9b:1::/48` (each RFC 6052 layout it may use: /48, /56, /64, /96), 6to4 `2002::/16`, and
 * Teredo `2001::/32` (server and de-obfuscated client). Empty for IPv4 and for other IPv6 addresses.
 */
export function embeddedIpv4(ip: string): string[] {
  const g = ipv6Groups(ip);
  if (!g) return [];
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const last32 = ipv4(g6, g7);
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0) {
    if (g4 === 0 && (g5 === 0 || g5 === 0xffff)) return [last32];
    if (g4 === 0xffff && g5 === 0) return [last32];
    return [];
  }
  if (g0 === 0x64 && g1 === 0xff9b) {
    if (g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return [last32];
    if (g2 !== 1) return [];
    return [
      octets(g3 >> 8, g3 & 0xff, g4 & 0xff, g5 >> 8),
      octets(g3 & 0xff, g4 & 0xff, g5 >> 8, g5 & 0xff),
      octets(g4 & 0xff, g5 >> 8, g5 & 0xff, g6 >> 8),
      last32,
    ];
  }
  if (g0 === 0x2002) return [ipv4(g1, g2)];
  if (g0 === 0x2001 && g1 === 0) return [ipv4(g2, g3), ipv4(~g6 & 0xffff, ~g7 & 0xffff)];
  return [];
}

/** The address itself (zone id dropped) and every IPv4 address it embeds: what a policy checks. */
export function addressForms(ip: string): string[] {
  const bare = ip.split('%')[0] ?? ip;
  return [bare, ...embeddedIpv4(bare)];
}
