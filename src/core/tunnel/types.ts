import type { BtpError } from '../errors';
import type { Logger } from '../log';

/**
 * How the SAP connectivity proxy (or any other in-cluster target) is reached from this machine.
 * None of the modes puts a secret on a command line: `cf` and `kubectl` read their own login state.
 */
export type TunnelMode =
  /** No child: the targets are reachable as they are (e.g. when running inside CF or Kyma). */
  | { readonly kind: 'direct' }
  /** `cf ssh <app> -N -T -L 127.0.0.1:<childPort>:<host>:<port> ...`; the app must have SSH enabled. */
  | { readonly kind: 'cf-ssh'; readonly app: string; readonly cfCommand?: string }
  /**
   * `kubectl port-forward --address=127.0.0.1 [--context=] [--namespace=] <target> <childPort>:<port> ...`.
   * kubectl forwards to ports of `target` (default `svc/connectivity-proxy`); a target's `host` is only a label.
   */
  | {
      readonly kind: 'kubectl';
      readonly namespace?: string;
      readonly target?: string;
      readonly context?: string;
      readonly kubectlCommand?: string;
    }
  /**
   * Any command that forwards loopback ports, e.g. `ssh -N -L {childPort0}:{host0}:{port0} ...`. `args` may use
   * `{childPortN}`, `{hostN}` and `{portN}` for target N and must contain every `{childPortN}`. Never put a secret
   * in `args`: every local user can read a command line. Pass secrets through `env` or files (e.g. `ssh -i`).
   */
  | { readonly kind: 'command'; readonly command: string; readonly args: readonly string[] };

/** A host and port as seen from inside CF/Kubernetes, e.g. the connectivity proxy's HTTP and SOCKS5 ports. */
export interface TunnelTarget {
  readonly host: string;
  readonly port: number;
}

/** A loopback address that clients connect to. */
export interface TunnelEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface TunnelBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Fraction of the delay added or removed at random, e.g. 0.2 for ±20 %. */
  readonly jitter: number;
}

/**
 * Application-level health check through the tunnel: `endpoint` is a loopback address that reaches `target`
 * through the current child. Resolve `false` (or take longer than half a probe interval) to have it restarted.
 */
export type TunnelProbe = (endpoint: TunnelEndpoint, target: TunnelTarget, index: number) => Promise<boolean>;

export interface TunnelOptions {
  readonly mode: TunnelMode;
  readonly targets: readonly TunnelTarget[];
  /** Local port per target on 127.0.0.1; 0 or missing picks a free one. */
  readonly localPorts?: readonly number[];
  readonly logger?: Logger;
  /** Environment of the child (default `process.env`); the place for secrets a custom command needs. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A child that dies this soon after its first start is a start-up failure and is not retried (default 3000). */
  readonly startupFailureWindowMs?: number;
  /** Delay between restarts after the tunnel had been ready (default 1000, 30000, 0.2). */
  readonly backoff?: Partial<TunnelBackoff>;
  /**
   * Restarts in a row before giving up (default 150, like the Cloud Connector). The count and the backoff start
   * again once a restarted tunnel has stayed ready for `backoff.maxMs`.
   */
  readonly maxRestarts?: number;
  /** Period of the health check of a ready tunnel: TCP connect to each child port, then `probe` (default 15000). */
  readonly probeIntervalMs?: number;
  readonly probe?: TunnelProbe;
  /**
   * While the tunnel is ready and nothing passed through it for this long, send light traffic through it (`probe`
   * if given, else a TCP connect to each child port), so that idle cutoffs of load balancers and NAT on the
   * child's upstream connection never see it quiet (default 60000; 0 turns it off). Client bytes and health
   * probes count as traffic, so with the default 15 s probe it only fires when probes are slowed down.
   */
  readonly keepAliveMs?: number;
  /** How long a started child may take to accept connections on its ports (default 30000). */
  readonly readyTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL when a child is stopped (default 1000). */
  readonly stopGraceMs?: number;
}

/** `idle` until `start()`; `failed` and `stopped` are final. */
export type TunnelState = 'idle' | 'starting' | 'ready' | 'reconnecting' | 'failed' | 'stopped';

export interface TunnelStateDetail {
  /** Why the state changed, e.g. the child's exit status or the failed probe. Redacted. */
  readonly reason?: string | undefined;
  /** `TunnelFailed`/`PortInUse` with `failed`, `TunnelDown` with `reconnecting`. */
  readonly error?: BtpError | undefined;
  /** With `reconnecting`: the restart attempt (1-based) and its delay. */
  readonly attempt?: number;
  readonly delayMs?: number;
}

export type TunnelStateListener = (state: TunnelState, detail?: TunnelStateDetail) => void;
