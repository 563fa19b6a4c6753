import type { ConnectivityAccess } from '../connectivity/connectivityAccess';
import type { OutboundNetwork } from '../http/outbound';
import type { TrafficLog } from '../inspect/trafficLog';
import type { Logger } from '../log';
import type { OriginAllowList } from './allowedOrigins';
import type { DestinationResolver } from './resolver';
import type { DestinationRouter } from './router';

// What an HTTP forward is started with and what it reports per request (the manager, the WebSocket relay and the
// forward itself share them).

export interface ForwardTimeouts {
  /** Time for a client to send its request headers (slowloris guard). */
  readonly headersMs: number;
  /** Time for the whole request to arrive (0 = unlimited, for long uploads). */
  readonly requestMs: number;
  /** Time for the upstream to answer with headers. */
  readonly upstreamMs: number;
}

export interface HttpForwardOptions {
  /** The one destination of this port; or `router`, which picks one per request. */
  readonly resolver?: DestinationResolver;
  readonly router?: DestinationRouter;
  readonly connectivity?: ConnectivityAccess | undefined;
  readonly port?: number;
  readonly allowWebSocket?: boolean;
  /** Pass cookies both ways (SAP session and CSRF flows need them); off by default, see `HeaderPolicy`. */
  readonly passCookies?: boolean;
  /** Required of every request when set (shared machines), see `checkLocalToken`. */
  readonly localToken?: string;
  /** Dev-server origins whose pages may use the forward through their proxies (may change while it runs). */
  readonly allowedOrigins?: OriginAllowList;
  readonly timeouts?: Partial<ForwardTimeouts>;
  readonly logger?: Logger;
  readonly onExchange?: (exchange: Exchange) => void;
  /** The traffic log while somebody inspects this forward; undefined (nothing recorded) otherwise. */
  readonly traffic?: () => TrafficLog | undefined;
  /** Proxy and trust for Internet upstreams (corporate proxies and CAs); direct, Node's CAs when absent. */
  readonly network?: OutboundNetwork;
  /**
   * Connections held upstream at once (D2): the Internet pool's size, and the WebSocket upgrades open at a time
   * (each holds a connection, and for OnPremise a stream of the Cloud Connector's tunnel, for its whole life).
   */
  readonly maxConnections?: number;
}

/** One request through a forward, reported when it ends. */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Set when the forward itself failed the request (502/504/403…), with a stable code. */
  readonly error?: string;
  /** The destination a one-port forward picked for this request (its path is then the part below it). */
  readonly destination?: string;
}
