import { Agent as HttpAgent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { endToEndHeaders, isProxyControlHeader, type PropagatedUser } from '../tunnel/tunnelProtocol';
import type { OnPremiseNetwork } from '../onPremise/gate/network';
import type { ProxyHeaderInfo } from '../onPremise/gate/proxyProtocol';
import { IntroducingHttpAgent, IntroducingHttpsAgent } from './introducingAgents';
import { principalHeaderNames, type PrincipalCertificates } from './principal';
import { isTlsMapping, type SystemMapping } from './types';

/**
 * How the connector reaches on-premise systems: its own keep-alive pools and the CA its backends' TLS chains to.
 * To the systems of its `network` (the sandbox's own) it proves itself on every connection; other backends (a
 * user's own system behind a mapping) get their bytes as they are.
 */
export class BackendAccess {
  readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256 });
  readonly httpsAgent: HttpsAgent;
  private readonly networkAgents: { readonly http: HttpAgent; readonly https: HttpsAgent } | undefined;

  constructor(
    readonly trustedCaPem: string | undefined,
    readonly principals: PrincipalCertificates,
    readonly connectTimeoutMs: number,
    private readonly network?: OnPremiseNetwork,
  ) {
    const ca = trustedCaPem ? { ca: trustedCaPem } : {};
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256, ...ca });
    if (network) {
      // One introduction for every pooled connection: it carries the proof and nothing about any request.
      const introduction = network.introduce();
      this.networkAgents = {
        http: new IntroducingHttpAgent(introduction, { keepAlive: true, maxSockets: 256 }),
        https: new IntroducingHttpsAgent(introduction, { keepAlive: true, maxSockets: 256, ...ca }),
      };
    }
  }

  /** Whether connections to the mapping's backend start with the connector's proof (a system of its network). */
  introduces(mapping: SystemMapping): boolean {
    return this.network?.covers(mapping.localHost, mapping.localPort) === true;
  }

  /** The keep-alive pool for an HTTP(S) mapping's backend. */
  agentFor(mapping: SystemMapping): HttpAgent | HttpsAgent {
    const https = mapping.protocol === 'HTTPS';
    const own = this.introduces(mapping) ? this.networkAgents : undefined;
    if (own) return https ? own.https : own.http;
    return https ? this.httpsAgent : this.httpAgent;
  }

  /**
   * A raw connection for TCP and WebSocket streams; TLS when the mapping's protocol says so. Plain TCP passes
   * half-close through. To a system of the network it first sends the proof, with `introduction` (the propagated
   * user of a TCP stream) in the same header, before any TLS.
   */
  openSocket(mapping: SystemMapping, introduction: Omit<ProxyHeaderInfo, 'proof'> = {}): Socket {
    const tls = isTlsMapping(mapping);
    const tlsOptions = { ...(this.trustedCaPem ? { ca: this.trustedCaPem } : {}), ...serverName(mapping.localHost) };
    let socket: Socket;
    if (this.network && this.introduces(mapping)) {
      const raw = connectTcp({ host: mapping.localHost, port: mapping.localPort, allowHalfOpen: !tls });
      raw.write(this.network.introduce(introduction));
      socket = tls ? connectTls({ socket: raw, ...tlsOptions }) : raw;
    } else {
      socket = tls
        ? connectTls({ host: mapping.localHost, port: mapping.localPort, ...tlsOptions })
        : connectTcp({ host: mapping.localHost, port: mapping.localPort, allowHalfOpen: true });
    }
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
    this.networkAgents?.http.destroy();
    this.networkAgents?.https.destroy();
  }
}

function serverName(host: string): { servername?: string } {
  return isIP(host) === 0 ? { servername: host } : {};
}
