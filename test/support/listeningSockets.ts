import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';

// Every listener a process opens, found by the kernel rather than by anyone's bookkeeping: the process's
// socket inodes matched against /proc/net/tcp{,6} LISTEN entries (Linux only).

export interface Listening {
  readonly address: string;
  readonly port: number;
}

export function listeningSocketsOfThisProcess(): Promise<Listening[]> {
  return listeningSocketsOfProcess('self');
}

/** The TCP listeners of another process of ours (e.g. a server the sandbox started). */
export async function listeningSocketsOfProcess(pid: number | 'self'): Promise<Listening[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const found: Listening[] = [];
  for (const [file, ipv6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    if (!existsSync(file)) continue;
    for (const line of (await readFile(file, 'utf8')).split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local = '', state, inode = ''] = [fields[1], fields[3], fields[9]];
      if (state !== '0A' || !inodes.has(inode)) continue;
      const [addressHex = '', portHex = ''] = local.split(':');
      found.push({ address: ipv6 ? ipv6Address(addressHex) : ipv4Address(addressHex), port: parseInt(portHex, 16) });
    }
  }
  return found;
}

// The kernel prints each 32-bit word in host byte order (little-endian on the platforms CI runs).
function ipv4Address(hex: string): string {
  return [...Buffer.from(hex, 'hex').reverse()].join('.');
}

function ipv6Address(hex: string): string {
  const words = (hex.match(/.{8}/g) ?? []).map((word) => Buffer.from(word, 'hex').reverse().toString('hex'));
  return words.join('').replace(/(.{4})(?!$)/g, '$1:');
}
