import { Dispatcher } from './undici';
import type { ProxyEndpoint } from './proxySettings';

/**
 * One dispatcher for every origin that sends each request the way the network decides: through the proxy for its
 * scheme, or directly (NO_PROXY, loopback). The pools behind it are made on first use and kept per way, so a
 * request costs one map look-up per origin. undici's EnvHttpProxyAgent does the same but reads NO_PROXY and the
 * proxy variables from `process.env` for whatever it is not given, and hides which way it chose; the CLI's
 * environment and VS Code's settings must be the only inputs, and messages name the proxy in use.
 */
export class RoutingDispatcher extends Dispatcher {
  private readonly ways = new Map<string, Dispatcher>();
  private readonly byOrigin = new Map<string, Dispatcher>();

  constructor(
    private readonly routeOf: (origin: URL) => ProxyEndpoint | undefined,
    private readonly make: (proxy: ProxyEndpoint | undefined) => Dispatcher,
  ) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.forOrigin(String(options.origin)).dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const closing = Promise.all([...this.ways.values()].map((way) => way.close())).then(() => undefined);
    if (!callback) return closing;
    void closing.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(errorOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const error = typeof errorOrCallback === 'function' ? null : (errorOrCallback ?? null);
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback;
    const destroying = Promise.all([...this.ways.values()].map((way) => way.destroy(error))).then(() => undefined);
    if (!done) return destroying;
    void destroying.then(done, done);
  }

  private forOrigin(origin: string): Dispatcher {
    let dispatcher = this.byOrigin.get(origin);
    if (dispatcher) return dispatcher;
    const proxy = this.routeOf(new URL(origin));
    const key = proxy?.uri ?? 'direct';
    dispatcher = this.ways.get(key);
    if (!dispatcher) {
      dispatcher = this.make(proxy);
      this.ways.set(key, dispatcher);
    }
    // Bounded: a forward may see many origins over a long day; forgetting them costs only a look-up.
    if (this.byOrigin.size >= 1024) this.byOrigin.clear();
    this.byOrigin.set(origin, dispatcher);
    return dispatcher;
  }
}
