import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { Agent, ProxyAgent } from './undici';
import { NoProxyList, isLoopbackHost } from './noProxy';
import { ProxyConnectPool, openTunnel } from './proxyTunnel';
import { parseProxyUrl, redactProxyUrl, type ProxyEndpoint, type ProxySettings } from './proxySettings';
import { RoutingDispatcher } from './routingDispatcher';
import { lazyTlsConnector } from './lazyTlsConnector';
import { Trust, type CaSource, type ClientIdentity } from './trust';
import { WarmConnector } from './warmConnector';

export type LookupFunction = (
  hostname: string,
  options: object,
  callback: (error: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void,
) => void;

export interface OutboundNetworkOptions {
  readonly proxy?: ProxySettings;
  readonly trust?: Trust;
}

/** What one pool of connections needs: the target's TLS, and undici's pool settings. */
export interface PoolOptions {
  /**
   * The target's TLS. A `ca` (a destination's TrustStoreLocation) replaces the machine's trust, as it does for
   * an app in BTP; without one the machine's trust applies.
   */
  readonly tls?: ClientIdentity & { readonly ca?: string; readonly rejectUnauthorized?: boolean };
  /** Host resolution for direct connections (the sandbox maps `*.localhost`); a proxy resolves its own. */
  readonly lookup?: LookupFunction;
  readonly connectTimeoutMs: number;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  readonly keepAliveTimeout: number;
  readonly connections?: number;
}

/**
 * How this process reaches the outside: which proxy (if any) carries a request to a URL, and which CAs its TLS
 * trusts. Built from the environment by the CLI and from VS Code's settings by the extension; every outbound
 * pool of the core (token service, Destination service, Internet destinations of forwards) is made here.
 * Loopback is never proxied; the connectivity proxy is reached through its own tunnel, not through here.
 */
export class OutboundNetwork {
  readonly trust: Trust;
  private readonly httpsProxy: ProxyEndpoint | undefined;
  private readonly httpProxy: ProxyEndpoint | undefined;
  private readonly noProxy: NoProxyList;
  private readonly authorization: string | undefined;
  private readonly strictSsl: boolean;

  /** Throws `BtpError` (InvalidInput, naming the variable or setting) for a proxy URL that is none. */
  constructor(private readonly options: OutboundNetworkOptions = {}) {
    const proxy = options.proxy ?? {};
    this.trust = options.trust ?? new Trust();
    this.httpProxy = proxy.httpProxy ? parseProxyUrl(proxy.httpProxy, proxy.authorization) : undefined;
    this.httpsProxy = proxy.httpsProxy ? parseProxyUrl(proxy.httpsProxy, proxy.authorization) : this.httpProxy;
    this.noProxy = new NoProxyList(proxy.noProxy ?? '');
    this.authorization = proxy.authorization?.value;
    this.strictSsl = proxy.strictSsl !== false;
  }

  /** True when some URL would go through a proxy. */
  get proxied(): boolean {
    return this.httpsProxy !== undefined || this.httpProxy !== undefined;
  }

  /** The same proxy settings with one more CA source (the sandbox's). */
  withCa(source: CaSource): OutboundNetwork {
    return new OutboundNetwork({ ...this.options, trust: this.trust.with(source) });
  }

  /** The proxy a request to `url` goes through; undefined: directly (no proxy, NO_PROXY, loopback). */
  route(url: string | URL): ProxyEndpoint | undefined {
    const target = typeof url === 'string' ? new URL(url) : url;
    const proxy = target.protocol === 'https:' || target.protocol === 'wss:' ? this.httpsProxy : this.httpProxy;
    if (!proxy || isLoopbackHost(target.hostname)) return undefined;
    const port = Number(target.port || (target.protocol === 'https:' || target.protocol === 'wss:' ? 443 : 80));
    return this.noProxy.matches(target.hostname, port) ? undefined : proxy;
  }

  /** One line for logs: proxies without credentials, NO_PROXY, and where trust comes from. */
  describe(): string {
    const proxies = this.proxied
      ? [
          this.httpsProxy && `https → ${this.httpsProxy.display} (${this.httpsProxy.source})`,
          this.httpProxy && `http → ${this.httpProxy.display} (${this.httpProxy.source})`,
        ]
          .filter(Boolean)
          .join(', ')
      : 'no proxy';
    const noProxy = this.noProxy.isEmpty ? '' : `; NO_PROXY ${redactProxyUrl(this.noProxy.text)}`;
    return `${proxies}${noProxy}; trust: ${this.trust.describe()}`;
  }

  /** A keep-alive dispatcher for any origin: through the proxy where `route` says so, else directly. */
  dispatcher(options: PoolOptions): Dispatcher {
    const dispatcher = this.proxied
      ? new RoutingDispatcher(
          (origin) => this.route(origin),
          (proxy) => (proxy ? this.viaProxy(proxy, options) : this.direct(options)),
        )
      : this.direct(options);
    owners.set(dispatcher, this);
    return dispatcher;
  }

  /**
   * A raw CONNECT tunnel to `host:port` through the proxy `url` goes through (the connection check walks TLS and
   * HTTP on it itself); undefined when `url` is reached directly. Refusals come as coded errors (`proxyRefusal`).
   */
  async tunnel(url: string | URL, timeoutMs: number): Promise<{ socket: Socket; proxy: ProxyEndpoint } | undefined> {
    const target = typeof url === 'string' ? new URL(url) : url;
    const proxy = this.route(target);
    if (!proxy) return undefined;
    const port = target.port || (target.protocol === 'https:' ? '443' : '80');
    const socket = await openTunnel(proxy, this.proxyHeaders(proxy), { ...this.proxyTls(), timeout: timeoutMs }, `${target.hostname}:${port}`, timeoutMs);
    return { socket, proxy };
  }

  private direct(options: PoolOptions): Agent {
    // The connector undici would build from these options, able to open a connection ahead of a request.
    const connector = new WarmConnector(
      lazyTlsConnector({ ...(options.lookup ? { lookup: options.lookup } : {}), timeout: options.connectTimeoutMs }, () => this.targetTls(options)),
      options.keepAliveTimeout,
    );
    const agent = new Agent({ connect: connector.connect, ...poolSettings(options) });
    warmers.set(agent, connector);
    return agent;
  }

  private viaProxy(proxy: ProxyEndpoint, options: PoolOptions): ProxyAgent {
    return new ProxyAgent({
      uri: proxy.uri,
      // CONNECT for http:// targets too, as undici 7 defaults to; undici 8 sends those in absolute form instead,
      // past ProxyConnectPool's coded errors (407 → BTP_PROXY_AUTH) and to proxies that only tunnel.
      proxyTunnel: true,
      ...(this.authorization ? { token: this.authorization } : {}),
      clientFactory: (origin, factoryOptions) => new ProxyConnectPool(origin, factoryOptions as ConstructorParameters<typeof ProxyConnectPool>[1], proxy),
      requestTls: { ...this.targetTls(options), timeout: options.connectTimeoutMs },
      proxyTls: { ...this.proxyTls(), timeout: options.connectTimeoutMs },
      ...poolSettings(options),
    });
  }

  private targetTls(options: PoolOptions): object {
    const { ca, rejectUnauthorized, ...identity } = options.tls ?? {};
    const trust = ca === undefined ? this.trust.tlsOptions(identity) : { ...identity, ca };
    return rejectUnauthorized === false ? { ...trust, rejectUnauthorized: false } : trust;
  }

  /** An https:// proxy's own certificate: the machine's trust, unverified only when http.proxyStrictSSL is false. */
  private proxyTls(): object {
    return { ...this.trust.tlsOptions(), ...(this.strictSsl ? {} : { rejectUnauthorized: false }) };
  }

  /** What ProxyAgent sends with a CONNECT: the Proxy-Authorization setting, else the URL's user and password. */
  private proxyHeaders(proxy: ProxyEndpoint): Record<string, string> {
    if (this.authorization) return { 'proxy-authorization': this.authorization };
    const url = new URL(proxy.uri);
    if (!url.username || !url.password) return {};
    return { 'proxy-authorization': `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` };
  }
}

function poolSettings(options: PoolOptions): { headersTimeout: number; bodyTimeout: number; keepAliveTimeout: number; connections?: number } {
  return {
    headersTimeout: options.headersTimeout,
    bodyTimeout: options.bodyTimeout,
    keepAliveTimeout: options.keepAliveTimeout,
    ...(options.connections ? { connections: options.connections } : {}),
  };
}

/** The connectors of direct dispatchers, for `warmConnection`. */
const warmers = new WeakMap<Dispatcher, WarmConnector>();

/**
 * Opens a connection of `dispatcher` to `origin` ahead of its first request (see WarmConnector). Only direct
 * dispatchers warm up: through a proxy, opening the tunnel would send the proxy a CONNECT nobody asked for yet.
 */
export function warmConnection(dispatcher: Dispatcher, origin: string | URL, tcp?: Socket): boolean {
  const warmer = warmers.get(dispatcher);
  if (!warmer) tcp?.destroy();
  return warmer?.warm(origin, tcp) ?? false;
}

/** Destroys the connections `warmConnection` opened and no request took (call it when closing the dispatcher). */
export function dropWarmConnections(dispatcher: Dispatcher): void {
  warmers.get(dispatcher)?.close();
}

/** Which network made a dispatcher: error messages about a request name its proxy and trust. */
const owners = new WeakMap<Dispatcher, OutboundNetwork>();

export function networkOf(dispatcher: Dispatcher): OutboundNetwork | undefined {
  return owners.get(dispatcher);
}
