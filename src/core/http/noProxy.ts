import { isIP } from 'node:net';

/**
 * NO_PROXY as curl and undici read it: entries separated by commas or spaces; `*` alone exempts everything; a
 * leading `.` or `*.` is dropped and an entry also covers its subdomains (`corp.example` covers
 * `api.corp.example`); `host:port` limits an entry to one port. IPv6 literals may be written with or without
 * brackets (undici needs the brackets; people write `::1`).
 */
export class NoProxyList {
  private readonly all: boolean;
  private readonly entries: readonly { readonly host: string; readonly port: number }[];

  constructor(readonly text: string) {
    const items = text
      .split(/[,\s]+/)
      .map((item) => item.trim().toLowerCase())
      .filter((item) => item !== '');
    this.all = items.includes('*');
    this.entries = items.filter((item) => item !== '*').map(parseEntry);
  }

  get isEmpty(): boolean {
    return !this.all && this.entries.length === 0;
  }

  /** True when `hostname` (as in a URL, IPv6 with or without brackets) on `port` is to be reached directly. */
  matches(hostname: string, port: number): boolean {
    if (this.all) return true;
    const host = bare(hostname.toLowerCase());
    return this.entries.some((entry) => (entry.port === 0 || entry.port === port) && (host === entry.host || host.endsWith(`.${entry.host}`)));
  }
}

/**
 * Names and addresses that mean this machine: `localhost`, `*.localhost` (RFC 6761), 127.0.0.0/8 and ::1. They
 * never go through a proxy, whatever NO_PROXY says: a remote proxy would reach its own loopback, not ours (the
 * sandbox, the loopback sign-in listener).
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = bare(hostname.toLowerCase()).replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  if (family === 6) return host === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(host) || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host);
  return false;
}

function parseEntry(item: string): { host: string; port: number } {
  // `[::1]:8080`, `host:8080`; a bare IPv6 literal has several colons and no port.
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
  if (bracketed) return { host: bracketed[1] ?? '', port: Number(bracketed[2] ?? 0) };
  const withPort = /^([^:]+):(\d+)$/.exec(item);
  const host = withPort ? (withPort[1] ?? '') : item;
  return { host: host.replace(/^\*?\./, ''), port: withPort ? Number(withPort[2]) : 0 };
}

function bare(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
