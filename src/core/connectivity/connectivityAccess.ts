import { Pool, buildConnector } from '../http/undici';
import type { TokenTenant } from '../bindings/tokenEndpoint';
import type { ConnectivityBinding } from '../bindings/types';
import { BtpError, ErrorCode } from '../errors';
import type { HttpAgents } from '../http/agents';
import { WarmConnector } from '../http/warmConnector';
import type { AccessToken } from '../oauth/tokenRequest';
import type { TokenKeeper } from '../oauth/keptTokens';
import { ServiceTokens } from '../oauth/serviceTokens';

export interface ProxyEndpoint {
  readonly host: string;
  readonly port: number;
}

/** Where the connectivity proxy's ports are reachable from here: the binding's own, or a tunnel's local ports. */
export interface ProxyEndpoints {
  http(): ProxyEndpoint;
  socks5(): ProxyEndpoint;
}

export interface ConnectivityAccessOptions {
  /**
   * The signed-in user's access token, undefined when nobody is signed in: PrincipalPropagation destinations send
   * it to the proxy as `SAP-Connectivity-Authentication` (spec §5.1), so the on-premise system sees that user.
   */
  readonly userToken?: () => Promise<string | undefined>;
  /** The saved connection the user signs in to, for the message that asks to sign in. */
  readonly connection?: string;
  /** The subscriber tenant the connection acts for: the proxy token is taken in its zone, to reach its Cloud Connectors. */
  readonly tenant?: TokenTenant;
  /** Where its tokens outlive the process (a saved connection's secret store); none: fetched by every process. */
  readonly keeper?: TokenKeeper;
}

/**
 * What forwards need to reach on-premise systems: the connectivity proxy's HTTP and SOCKS5 endpoints, a
 * keep-alive pool to the HTTP port, and the connectivity service's tokens (client credentials of the binding).
 */
export class ConnectivityAccess {
  private readonly tokens: ServiceTokens;
  private pool: { origin: string; pool: Pool } | undefined;
  private poolConnections = 128;
  /** Shared by the forwards' views: a connection opened ahead serves whichever forward's pool connects first. */
  private readonly connector = new WarmConnector(buildConnector({ timeout: 10_000 }), keepAliveMs);

  constructor(
    readonly binding: ConnectivityBinding,
    agents: HttpAgents,
    private readonly endpoints: ProxyEndpoints = bindingEndpoints(binding),
    private readonly options: ConnectivityAccessOptions = {},
  ) {
    this.tokens = new ServiceTokens(binding, agents, undefined, options.keeper);
  }

  httpProxy(): ProxyEndpoint {
    return this.endpoints.http();
  }

  socks5Proxy(): ProxyEndpoint {
    return this.endpoints.socks5();
  }

  /** One keep-alive pool per proxy origin; a tunnel that moved to other ports gets a fresh pool. */
  httpPool(): Pool {
    const endpoint = this.httpProxy();
    const origin = `http://${endpoint.host}:${endpoint.port}`;
    if (this.pool?.origin !== origin) {
      void this.pool?.pool.close();
      this.pool = {
        origin,
        pool: new Pool(origin, {
          connect: this.connector.connect,
          connections: this.poolConnections,
          keepAliveTimeout: keepAliveMs,
          headersTimeout: 60_000,
          bodyTimeout: 300_000,
        }),
      };
    }
    return this.pool.pool;
  }

  /**
   * Opens a TCP connection to the proxy's HTTP port ahead of the first OnPremise request (while a forward starts):
   * a handshake less for that request. Nothing is sent on it, no token either, until a request comes.
   */
  warm(): boolean {
    try {
      const endpoint = this.httpProxy();
      return this.connector.warm(`http://${endpoint.host}:${endpoint.port}`);
    } catch {
      // No endpoint yet (a tunnel still starting): the first request connects itself.
      return false;
    }
  }

  /**
   * The same access (tokens, endpoints, user) with a pool of its own of at most `connections` to the HTTP port,
   * for one forward: a forward flooded with slow requests then queues them in its own pool instead of taking the
   * connections of every other forward of the connection (D2). `close()` on the view closes only its pool.
   */
  forForward(connections: number): ConnectivityAccess {
    // A prototype-chained view: everything but the pool (own properties set here) is read from this instance.
    const view = Object.create(this) as ConnectivityAccess;
    view.pool = undefined;
    view.poolConnections = connections;
    return view;
  }

  /** The token for `Proxy-Authorization` and SOCKS5: the binding's client credentials in its subaccount (or the tenant's). */
  token(): Promise<AccessToken> {
    return this.tokens.clientCredentials(this.options.tenant);
  }

  /** The `SAP-Connectivity-Authentication` value for a PrincipalPropagation destination: `Bearer <user token>`. */
  async principalPropagation(destination: string): Promise<string> {
    const token = await this.options.userToken?.();
    if (!token) {
      const connection = this.options.connection;
      throw new BtpError(
        ErrorCode.SignInRequired,
        `Destination "${destination}" uses PrincipalPropagation: the on-premise system needs your user, and nobody is signed in to ${connection ? `connection "${connection}"` : 'this connection'}. Sign in first (\`btp-connect login ${connection ?? '<connection>'}\`, or Sign In on the connection in VS Code).`,
        { field: 'Authentication', details: { destination, ...(connection ? { connection } : {}) } },
      );
    }
    return `Bearer ${token}`;
  }

  invalidate(token: AccessToken): void {
    this.tokens.invalidate(token, this.options.tenant);
  }

  async close(): Promise<void> {
    // Spares belong to the connection, not to one forward's view.
    if (Object.hasOwn(this, 'connector')) this.connector.close();
    await this.pool?.pool.close();
    this.pool = undefined;
  }
}

/** How long a connection to the proxy may idle (spares included) before it is closed. */
const keepAliveMs = 10_000;

export function bindingEndpoints(binding: ConnectivityBinding): ProxyEndpoints {
  return {
    http: () => ({ host: binding.proxyHost, port: binding.httpPort }),
    socks5: () => {
      if (binding.socks5Port === undefined) {
        throw new BtpError(
          ErrorCode.BindingInvalid,
          'The connectivity service key has no "onpremise_socks5_proxy_port": TCP forwards to on-premise systems need it.',
          {
            field: 'onpremise_socks5_proxy_port',
          },
        );
      }
      return { host: binding.proxyHost, port: binding.socks5Port };
    },
  };
}
