import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import type { OutboundNetwork } from './outbound';

/**
 * The CA a refused certificate chain ends at, e.g. `CN=Corp TLS Inspection CA, O=Corp`: the one to trust. Node's
 * verification error says only that the chain is not trusted; this looks at the chain once more, the same way
 * the request went (through the proxy, whose inspection CA is the usual culprit), with verification off and
 * nothing sent. Undefined when the second look fails: the message then goes without the name.
 */
export async function untrustedRoot(url: string, network: OutboundNetwork | undefined, timeoutMs = 5_000): Promise<string | undefined> {
  let socket: Socket | undefined;
  try {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const port = Number(target.port || 443);
    const tunnel = network ? await network.tunnel(target, timeoutMs) : undefined;
    socket = tunnel?.socket ?? (await openSocket(host, port, timeoutMs));
    const chain = await peerChain(socket, host, timeoutMs);
    return chain ? rootOf(chain) : undefined;
  } catch {
    return undefined;
  } finally {
    socket?.destroy();
  }
}

/** The CA at the top of a presented chain: a self-signed top is that CA; otherwise its issuer, which was not sent. */
export function rootOf(leaf: DetailedPeerCertificate): string | undefined {
  let top = leaf;
  const seen = new Set<string>();
  while (top.issuerCertificate && top.issuerCertificate !== top && !seen.has(top.fingerprint256)) {
    seen.add(top.fingerprint256);
    top = top.issuerCertificate;
  }
  const selfSigned = distinguishedName(top.subject) === distinguishedName(top.issuer);
  return distinguishedName(selfSigned ? top.subject : top.issuer);
}

/** `CN=…, O=…`: the parts people recognise a CA by. */
export function distinguishedName(entity: PeerCertificate['subject'] | undefined): string | undefined {
  if (!entity) return undefined;
  const parts = (['CN', 'O', 'OU'] as const).flatMap((key) => {
    const value = entity[key];
    return value === undefined ? [] : [`${key}=${Array.isArray(value) ? value.join('+') : value}`];
  });
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => resolve(socket));
    socket.once('timeout', () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
  });
}

function peerChain(socket: Socket, host: string, timeoutMs: number): Promise<DetailedPeerCertificate | undefined> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({ socket, ...(isIP(host) ? {} : { servername: host }), rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    const timer = setTimeout(() => secure.destroy(new Error('timeout')), timeoutMs);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      const chain = secure.getPeerCertificate(true);
      secure.destroy();
      resolve(chain && Object.keys(chain).length > 0 ? chain : undefined);
    });
    secure.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
