import { isIPv4, isIPv6 } from 'node:net';

/**
 * The octets a subjectAltName iPAddress holds (4 for IPv4, 16 for IPv6), or `undefined` when `text` is
 * not an IP literal that can appear in a certificate. Zone ids (`fe80::1%eth0`) are refused: they name a
 * local interface and have no encoding in X.509.
 */
export function ipAddressOctets(text: string): Buffer | undefined {
  if (isIPv4(text)) return Buffer.from(text.split('.').map(Number));
  if (!isIPv6(text) || text.includes('%')) return undefined;

  let hex = text;
  // An embedded IPv4 tail (`::ffff:127.0.0.1`) stands for the last two 16-bit groups.
  const lastColon = hex.lastIndexOf(':');
  const tail = hex.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    hex = `${hex.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }

  const [head = '', rest] = hex.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? [] : new Array<string>(Math.max(0, 8 - headGroups.length - restGroups.length)).fill('0');
  const groups = [...headGroups, ...zeros, ...restGroups];
  if (groups.length !== 8) return undefined;

  const octets = Buffer.alloc(16);
  groups.forEach((group, index) => octets.writeUInt16BE(Number.parseInt(group, 16), index * 2));
  return octets;
}
