import type { ConnectivityAccess } from '../connectivity/connectivityAccess';
import { connectivityProxyHeaders } from '../connectivity/proxyHeaders';
import type { AccessToken } from '../oauth/tokenRequest';
import type { Resolved } from './resolver';
import type { Route } from './route';

/** The connectivity proxy's headers for one forwarded request, with the token they carry (to drop it on a 407). */
export async function onPremiseHeaders(
  connectivity: ConnectivityAccess,
  resolved: Resolved,
  route: Route,
): Promise<{ readonly headers: Record<string, string>; readonly token: AccessToken }> {
  const token = await connectivity.token();
  const propagation = resolved.destination.Authentication === 'PrincipalPropagation' ? await connectivity.principalPropagation(resolved.name) : undefined;
  return {
    token,
    headers: connectivityProxyHeaders({ virtualHost: route.target.host, connectivityToken: token.accessToken, locationId: route.locationId, propagation }),
  };
}
