/** What the orchestrator and its child processes agree on: credentials, names, scenarios and workloads. */

export const benchUser = 'bench';
export const benchPassword = 'bench-password-1';
export const basicAuthorization = `Basic ${Buffer.from(`${benchUser}:${benchPassword}`).toString('base64')}`;

/** The Cloud Connector mapping the tunnel scenario goes through (added with `setMappings()`). */
export const benchVirtual = { host: 'bench.virtual', port: 80 } as const;

export const destinationNames = { http: 'bench-http-basic', tcp: 'bench-tcp', iperf: 'bench-tcp-iperf', onPremise: 'bench-onprem-basic' } as const;

export type ScenarioId = 'direct' | 'netPipe' | 'httpProxy' | 'netPipeDefault' | 'httpProxyDefault' | 'httpForward' | 'inspected' | 'tcpForward' | 'tunnel';

export interface Scenario {
  readonly id: ScenarioId;
  readonly label: string;
  /** The upstream must see the Basic header on every request of this scenario. */
  readonly injects: boolean;
  /** Carries raw TCP (the iperf3 workload runs through it). */
  readonly tcp?: boolean;
}

export const scenarios: readonly Scenario[] = [
  { id: 'direct', label: 'direct to upstream', injects: false, tcp: true },
  // The references under the forwards' V8 flags (tuneForForwarding), which the ratios and targets use...
  { id: 'netPipe', label: 'ref: `net` pipe (20 lines)', injects: false, tcp: true },
  { id: 'httpProxy', label: 'ref: http-proxy + keep-alive agent', injects: true },
  // ...and as a user would run them, with V8's defaults.
  { id: 'netPipeDefault', label: 'ref: `net` pipe, V8 defaults', injects: false, tcp: true },
  { id: 'httpProxyDefault', label: 'ref: http-proxy, V8 defaults', injects: true },
  { id: 'httpForward', label: 'HTTP forward (Internet, Basic)', injects: true },
  { id: 'inspected', label: 'HTTP forward, traffic inspector recording', injects: true },
  { id: 'tcpForward', label: 'TCP forward (Internet)', injects: false, tcp: true },
  { id: 'tunnel', label: 'HTTP forward via Cloud Connector', injects: true },
];

export type WorkloadId = 'json' | 'mib' | 'newConn' | 'iperf';

export interface Workload {
  readonly id: WorkloadId;
  readonly path: string;
  readonly connections: number;
  /** A new TCP connection for every request (autocannon `reconnectRate: 1`). */
  readonly reconnect: boolean;
  /** iperf3 through the TCP scenarios instead of HTTP requests. */
  readonly iperf?: boolean;
}

export const workloads: readonly Workload[] = [
  { id: 'json', path: '/json', connections: 50, reconnect: false },
  // Large bodies measure streaming, not request handling: fewer connections, as a download would use.
  { id: 'mib', path: '/mib', connections: 10, reconnect: false },
  { id: 'newConn', path: '/json', connections: 50, reconnect: true },
  { id: 'iperf', path: '', connections: 1, reconnect: false, iperf: true },
];

/** One run of the load generator (wrk, autocannon or iperf3). */
export interface LoadResult {
  readonly seconds: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly reqPerSec: number;
  readonly mbPerSec: number;
  /** Milliseconds; absent for new-connection runs (autocannon reports no per-response timing there). */
  readonly p50?: number;
  readonly p99?: number;
  /** iperf3 only. */
  readonly gbitPerSec?: number;
}
