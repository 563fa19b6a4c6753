import { Agent as HttpAgent, type AgentOptions, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions, type RequestOptions } from 'node:https';
import { connect as connectTcp, type NetConnectOpts, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions, type TLSSocket } from 'node:tls';

/**
 * Keep-alive pools whose every new connection starts with `introduction`, the connector's PROXY header for the
 * sandbox's own on-premise systems (`OnPremiseNetwork`). Pooled connections keep what they proved once.
 */
export class IntroducingHttpAgent extends HttpAgent {
  constructor(
    private readonly introduction: Buffer,
    options: AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: ClientRequestArgs): Socket {
    // Written before the connection stands: Node queues it and sends it first.
    const socket = connectTcp(options as NetConnectOpts);
    socket.write(this.introduction);
    return socket;
  }
}

/** The same for HTTPS backends: the introduction goes on the TCP connection, before the TLS handshake. */
export class IntroducingHttpsAgent extends HttpsAgent {
  constructor(
    private readonly introduction: Buffer,
    options: HttpsAgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: RequestOptions): TLSSocket {
    const raw = connectTcp({ host: options.host ?? 'localhost', port: Number(options.port) });
    raw.write(this.introduction);
    return connectTls({ ...(options as ConnectionOptions), socket: raw });
  }
}
