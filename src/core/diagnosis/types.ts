import type { ConnectivityBinding } from '../bindings/types';
import type { ProxyEndpoints } from '../connectivity/connectivityAccess';
import type { DestinationServiceClient } from '../destinationService/client';
import type { DestinationRecord, FindOptions } from '../destinationService/types';
import type { ErrorCode } from '../errors';
import type { HttpAgents } from '../http/agents';
import type { Logger } from '../log';
import type { TunnelMode } from '../tunnel/types';

/**
 * The hops between this machine and a destination's system, in the order a request passes them. Stable strings:
 * `--json` output and the extension match on them. `httpProxy` is this machine's outbound proxy (HTTPS_PROXY,
 * http.proxy), which the services' requests and an Internet destination's connection pass first.
 */
export const HOP_IDS = [
  'httpProxy',
  'tokenService',
  'destinationLookup',
  'authToken',
  'tunnel',
  'connectivityProxy',
  'cloudConnector',
  'backend',
  'tls',
  'response',
] as const;

export type HopId = (typeof HOP_IDS)[number];

/**
 * `skipped`: the hop does not apply (an Internet destination has no Cloud Connector) or was not reached.
 * `warning`: the way works up to this hop, which refused only what was asked (the Cloud Connector does not expose
 * the checked path); not a failure.
 */
export type HopStatus = 'ok' | 'failed' | 'warning' | 'skipped';

export interface HopResult {
  readonly hop: HopId;
  readonly status: HopStatus;
  /**
   * How long the step that decided this hop took, in milliseconds (0 for skipped hops). Hops decided by one
   * exchange share its time: behind the connectivity proxy, one request proves Cloud Connector, backend and response.
   */
  readonly ms: number;
  /** What was seen, in one sentence; never a secret. */
  readonly detail?: string;
  /** Set on a failed or warning hop. */
  readonly code?: ErrorCode;
  /** Set on a failed or warning hop: what to change, naming the field, the key or the Cloud Connector setting. */
  readonly fix?: string;
  /** On a Cloud Connector warning: the paths known to be exposed for the system (`/sap/ and below`), if any are known. */
  readonly exposed?: readonly string[];
  /** On a Cloud Connector warning: paths below the destination's URL that worked recently through its forwards. */
  readonly recentPaths?: readonly string[];
}

export interface CheckResult {
  readonly destination: string;
  /** `http`: a request to the URL; `tcp`: a connection to host:port. Absent when the lookup failed. */
  readonly kind?: 'http' | 'tcp';
  readonly proxyType?: 'Internet' | 'OnPremise' | 'PrivateLink';
  /** `GET http://erp.virtual:8000/path` or `db.virtual:5432`: no query string, no credentials. */
  readonly target?: string;
  /** Every hop of `HOP_IDS`, in that order. */
  readonly hops: readonly HopResult[];
  /** The first failed hop; undefined when every hop that applies is ok. */
  readonly firstFailure?: HopResult;
  /** The hop with a warning when there is no failure: the way works, but the checked path is not exposed. */
  readonly warning?: HopResult;
  /** The HTTP status of the backend's answer, when one arrived. */
  readonly status?: number;
  readonly totalMs: number;
}

export interface CheckOptions {
  /** The connection's Destination service client: its token cache and find-destination are what is checked. */
  readonly client: DestinationServiceClient;
  /** For the connectivity token (the same agents as the client). */
  readonly agents: HttpAgents;
  /** The connection's connectivity binding; OnPremise destinations fail at the proxy hop without one. */
  readonly connectivity?: ConnectivityBinding;
  /** How to reach the connectivity proxy; anything but `direct` starts a tunnel for the check and stops it after. */
  readonly tunnel?: TunnelMode;
  /** The environment of the tunnel's child (default `process.env`): the CLI passes its own. */
  readonly tunnelEnv?: Readonly<Record<string, string | undefined>>;
  /** An already running tunnel's proxy endpoints (e.g. a forward's), used instead of starting one. */
  readonly proxyEndpoints?: ProxyEndpoints;
  /** Appended to the destination URL's path, like the local path of a forward (default: the URL itself). */
  readonly path?: string;
  /** Extra find-destination inputs (a user token, X-tenant, a fragment). */
  readonly findOptions?: FindOptions;
  /** What a user flow needs of the signed-in user for a destination (`userForwarding(session).findOptions`). */
  readonly userInputs?: (destination: DestinationRecord) => Promise<FindOptions>;
  /** `X-tenant` for destinations whose token needs it (client credentials with a Common token URL). */
  readonly tenantSubdomain?: string;
  /** The signed-in user's token, for PrincipalPropagation destinations. */
  readonly userToken?: string;
  /**
   * What the check can know of a Cloud Connector's access control (the sandbox's own `cloud-connector.json`):
   * `undefined` = unknown; `mapped: false` = no system mapping for the virtual host and port (a failure);
   * otherwise the resources exposed for it, named for people.
   */
  readonly accessControl?: (
    virtualHost: string,
    virtualPort: number,
    locationId: string | undefined,
  ) => { readonly mapped: false } | { readonly mapped: true; readonly exposed: readonly string[] } | undefined;
  /**
   * Paths below the destination's URL that answered 2xx/3xx through its forwards recently, newest first
   * (`recent-paths.json`, see core/forward/recentPaths): named when the Cloud Connector refuses the checked path.
   */
  readonly recentPaths?: readonly string[];
  /** Bound for each network step (connect, handshake, answer); default 15 s. */
  readonly stepTimeoutMs?: number;
  readonly logger?: Logger;
}

/** Why a hop failed: a stable code, what was seen, and what to change. */
export interface HopFailure {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly fix: string;
}
