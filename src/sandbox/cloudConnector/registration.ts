import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { encodeLocation, RegistrationHeader, tunnelPath, tunnelUpgradeToken } from '../tunnel/tunnelProtocol';

export interface RegistrationRequest {
  readonly tunnelUrl: string;
  readonly secret: string;
  readonly subaccountId: string;
  readonly locationId: string;
  readonly timeoutMs: number;
}

export type RegistrationResult = { readonly ok: true; readonly socket: Socket } | { readonly ok: false; readonly reason: string };

/** An attempt in flight; `abort` ends it without a result. */
export interface PendingRegistration {
  abort(): void;
}

/**
 * One registration attempt: the HTTP/1.1 upgrade to `btp-connect-scc/1` at the proxy's tunnel port. `done` is
 * called once, with the upgraded socket (bytes the proxy sent after its `101` already put back) or the reason.
 */
export function registerAtProxy(request: RegistrationRequest, done: (result: RegistrationResult) => void): PendingRegistration {
  const url = new URL(request.tunnelUrl);
  let settled = false;
  const finish = (result: RegistrationResult) => {
    if (settled) {
      if (result.ok) result.socket.destroy();
      return;
    }
    settled = true;
    done(result);
  };
  const req = httpRequest({
    host: url.hostname,
    port: url.port,
    method: 'GET',
    path: tunnelPath,
    agent: false,
    timeout: request.timeoutMs,
    headers: {
      connection: 'Upgrade',
      upgrade: tunnelUpgradeToken,
      authorization: `Bearer ${request.secret}`,
      [RegistrationHeader.subaccount]: request.subaccountId,
      [RegistrationHeader.location]: encodeLocation(request.locationId),
    },
  });
  req.on('upgrade', (_res: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.setTimeout(0);
    // The proxy's HTTP/2 preface may arrive in the same packet as its 101.
    if (head.length > 0) socket.unshift(head);
    finish({ ok: true, socket });
  });
  req.on('response', (res: IncomingMessage) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (text.length < 1024) text += chunk;
    });
    res.on('end', () => finish({ ok: false, reason: `registration refused with ${res.statusCode}: ${text.trim()}` }));
    res.on('error', () => finish({ ok: false, reason: `registration refused with ${res.statusCode}` }));
  });
  req.on('timeout', () => req.destroy(new Error('the tunnel port did not answer in time')));
  req.on('error', (error) => finish({ ok: false, reason: error.message }));
  req.end();
  return {
    abort() {
      settled = true;
      req.destroy();
    },
  };
}
