import type { ConnectivityAccessOptions } from '../connectivity/connectivityAccess';
import type { FindOptions } from '../destinationService/types';
import { ErrorCode, isBtpError } from '../errors';
import type { UserSession } from '../oauth/userSession';

/**
 * How forwards act for a connection's signed-in user: the user token for PrincipalPropagation (connectivity
 * proxy) and as `X-user-token` on find-destination. Shared by the CLI and the extension.
 */
export function userForwarding(session: UserSession): { readonly connectivity: ConnectivityAccessOptions; readonly findOptions: () => Promise<FindOptions> } {
  const userToken = () => session.userToken();
  return {
    connectivity: { userToken, connection: session.connection },
    // A sign-in that expired must not break destinations that need no user: they go without one.
    findOptions: async () => {
      try {
        const token = await userToken();
        return token ? { userToken: token } : {};
      } catch (error) {
        if (isBtpError(error, ErrorCode.SignInRequired)) return {};
        throw error;
      }
    },
  };
}
