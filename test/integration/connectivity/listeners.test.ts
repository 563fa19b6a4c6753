import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { startSandbox } from '../../../src/sandbox/sandbox';

// Every listener the sandbox opens, found by the kernel rather than by the sandbox's own bookkeeping: the
// process's socket inodes matched against /proc/net/tcp{,6} LISTEN entries.

interface Listening {
  readonly address: string;
  readonly port: number;
}

async function listeningSocketsOfThisProcess(): Promise<Listening[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const found: Listening[] = [];
  for (const [file, ipv6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]] as const) {
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

describe('sandbox listeners', () => {
  it('binds every listener it opens to 127.0.0.1 and closes all of them on close()', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
    const before = new Set((await listeningSocketsOfThisProcess()).map((item) => `${item.address}:${item.port}`));
    const sandbox = await startSandbox({ portBase: 0 });
    let opened: Listening[];
    try {
      opened = (await listeningSocketsOfThisProcess()).filter((item) => !before.has(`${item.address}:${item.port}`));
    } finally {
      await sandbox.close();
    }
    // Token ×3, destination, Internet API, proxy HTTP/SOCKS5/tunnel, on-premise ERP and line service.
    assert.equal(opened.length, 10, JSON.stringify(opened));
    assert.deepEqual(opened.filter((item) => item.address !== '127.0.0.1'), []);
    const ports = new Set(opened.map((item) => item.port));
    const expected = [
      sandbox.connectivity.httpPort,
      sandbox.connectivity.socks5Port,
      sandbox.connectivity.tunnelPort,
      sandbox.onPremise.erp.port,
      sandbox.onPremise.lineService.port,
      Number(new URL(sandbox.endpoints.tokenServiceUrl).port),
      Number(new URL(sandbox.endpoints.destinationServiceUrl).port),
      Number(new URL(sandbox.endpoints.internetApiUrl).port),
    ];
    for (const port of expected) assert.ok(ports.has(port), `port ${port} is among the listeners`);
    const left = (await listeningSocketsOfThisProcess()).filter((item) => !before.has(`${item.address}:${item.port}`));
    assert.deepEqual(left, []);
  });
});
