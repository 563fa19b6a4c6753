import { Agent as HttpAgent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { endToEndHeaders, isProxyControlHeader, type PropagatedUser } from '../connectivity/tunnelProtocol';
import { principalHeaderNames, type PrincipalCertificates } from './principal';
import { isTlsMapping, type SystemMapping } from './types';

/** How the connector reaches on-premise systems: its own keep-alive pools and the CA its backends' TLS chains to. */
export class BackendAccess {
  readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256 });
  readonly httpsAgent: HttpsAgent;

  constructor(
    readonly trustedCaPem: string | undefined,
    readonly principals: PrincipalCertificates,
    readonly connectTimeoutMs: number,
  ) {
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256, ...(trustedCaPem ? { ca: trustedCaPem } : {}) });
  }

  /** A raw connection for TCP and WebSocket streams; TLS when the mapping's protocol says so. Plain TCP passes half-close through. */
  openSocket(mapping: SystemMapping): Socket {
    const socket = isTlsMapping(mapping)
      ? connectTls({ host: mapping.localHost, port: mapping.localPort, ...(this.trustedCaPem ? { ca: this.trustedCaPem } : {}), ...serverName(mapping.localHost) })
      : connectTcp({ host: mapping.localHost, port: mapping.localPort, allowHalfOpen: true });
    socket.setTimeout(this.connectTimeoutMs, () => socket.destroy(new Error(`connect to ${mapping.localHost}:${mapping.localPort} timed out`)));
    return socket;
  }

  /**
   * Request headers for the backend: the cloud client's end-to-end headers, minus anything that could pose as
   * the connector's own (propagation headers, tunnel headers), plus Host per `hostInHeader` and the principal.
   */
  requestHeaders(mapping: SystemMapping, cloudHeaders: IncomingHttpHeaders, user: PropagatedUser | undefined): OutgoingHttpHeaders {
    const headers = endToEndHeaders(cloudHeaders, (name) => isProxyControlHeader(name) || principalHeaderNames.includes(name));
    const virtual = `${mapping.virtualHost}:${mapping.virtualPort}`;
    if (mapping.hostInHeader === 'internal') {
      headers.host = `${mapping.localHost}:${mapping.localPort}`;
      headers['x-forwarded-host'] = virtual;
    } else {
      headers.host = virtual;
    }
    const principal = this.principals.headersFor(mapping, user);
    if (principal) Object.assign(headers, principal);
    return headers;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function serverName(host: string): { servername?: string } {
  return isIP(host) === 0 ? { servername: host } : {};
}
