import { tokenEndpoint, type TokenTenant } from '../bindings/tokenEndpoint';
import type { ServiceBinding } from '../bindings/types';
import type { HttpAgents } from '../http/agents';
import { decodeJwt, tenantOf } from './jwt';
import type { TokenKeeper } from './keptTokens';
import { TokenCache } from './tokenCache';
import { requestToken, type AccessToken, type TokenGrant } from './tokenRequest';

/**
 * Tokens for one service binding (destination, connectivity, xsuaa): the client-credentials token of a tenant
 * and user-token exchanges, cached per tenant and grant so concurrent callers share one request.
 */
export class ServiceTokens {
  constructor(
    readonly binding: ServiceBinding,
    private readonly agents: HttpAgents,
    private readonly cache = new TokenCache(),
    /** Where client-credentials tokens outlive this process (a saved connection's secret store); none: nowhere. */
    private readonly keeper?: TokenKeeper,
  ) {}

  /** The binding's client-credentials token; without a tenant, the provider's (the binding's own). */
  clientCredentials(tenant: TokenTenant = {}): Promise<AccessToken> {
    const key = this.cacheKey(tenant, 'cc');
    return this.cache.get(key, async () => (await this.keeper?.take(key)) ?? this.requestClientCredentials(tenant, key));
  }

  /**
   * A client-credentials token requested from the token service now, whatever is cached or kept: a diagnosis
   * (`check`) must see the service answer and the credentials work. It then serves (and is kept for) later calls.
   */
  async freshClientCredentials(tenant: TokenTenant = {}): Promise<AccessToken> {
    const key = this.cacheKey(tenant, 'cc');
    // Not through the cache: a request in flight there may be taking a kept token.
    const token = await this.requestClientCredentials(tenant, key);
    this.cache.put(key, token);
    return token;
  }

  /** A jwt-bearer exchange of a user's token for this binding's client, in the user's tenant (spec §2.2). */
  exchangeUserToken(userToken: string): Promise<AccessToken> {
    const claims = decodeJwt(userToken)?.payload;
    const zid = claims ? tenantOf(claims) : undefined;
    return this.fetch(zid ? { zid } : {}, { type: 'jwt_bearer', assertion: userToken }, `user:${userToken}`);
  }

  /** Drops a token the service refused with 401, so the next call fetches a fresh one. */
  invalidate(token: AccessToken, tenant: TokenTenant = {}): void {
    const key = this.cacheKey(tenant, 'cc');
    this.cache.invalidate(key, token);
    this.keeper?.forget(key, token);
  }

  private fetch(tenant: TokenTenant, grant: TokenGrant, grantKey: string): Promise<AccessToken> {
    return this.cache.get(this.cacheKey(tenant, grantKey), () => this.request(tenant, grant));
  }

  /** A new client-credentials token from the token service, kept for the next process where a keeper is given. */
  private async requestClientCredentials(tenant: TokenTenant, key: string): Promise<AccessToken> {
    const token = await this.request(tenant, { type: 'client_credentials' });
    this.keeper?.keep(key, token);
    return token;
  }

  private request(tenant: TokenTenant, grant: TokenGrant): Promise<AccessToken> {
    const endpoint = tokenEndpoint(this.binding, tenant);
    return requestToken({ tokenUrl: endpoint.url, clientId: this.binding.clientId, auth: this.binding.auth, headers: endpoint.headers }, grant, {
      agents: this.agents,
    });
  }

  private cacheKey(tenant: TokenTenant, grantKey: string): string {
    return `${tenant.zid ?? ''}|${tenant.subdomain ?? ''}|${grantKey}`;
  }
}
