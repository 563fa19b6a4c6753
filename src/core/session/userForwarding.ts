import type { ConnectivityAccessOptions } from '../connectivity/connectivityAccess';
import type { DestinationRecord, FindOptions } from '../destinationService/types';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import { safeOrigin } from '../http/request';
import type { UserSession } from '../oauth/userSession';
import { inUaaDomain, userFlowSignInRequired, userInputOf } from '../destinationService/userFlows';

/** RFC 8693: the user's XSUAA access token is what `X-subject-token` carries. */
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * How forwards act for a connection's signed-in user: the user token for PrincipalPropagation (connectivity
 * proxy) and as `X-user-token` on find-destination, and for destinations whose Authentication asks for more (known
 * from an earlier lookup of the same destination) the input of that flow: the session's refresh token
 * (`OAuth2RefreshToken`), a fresh authorization code (`OAuth2AuthorizationCode`), the user's token as subject token
 * (`OAuth2TokenExchange`). A user flow without a signed-in user fails with `SignInRequired` naming what is missing.
 * Shared by the CLI and the extension.
 */
export function userForwarding(session: UserSession): {
  readonly connectivity: ConnectivityAccessOptions;
  readonly findOptions: (destination?: DestinationRecord) => Promise<FindOptions>;
} {
  const userToken = () => session.userToken();
  return {
    connectivity: { userToken, connection: session.connection },
    findOptions: async (destination) => {
      const input = userInputOf(destination);
      if (!destination || input === undefined) return anyUser(userToken);
      const name = destination.Name ?? '';
      const authentication = destination.Authentication ?? '';
      const token = await userToken();
      if (!token) throw userFlowSignInRequired(name, authentication, input, session.connection);
      switch (input) {
        case 'userToken':
          return { userToken: token };
        case 'subjectToken':
          return { userToken: token, subjectToken: token, subjectTokenType: ACCESS_TOKEN_TYPE };
        case 'refreshToken': {
          const client = sameXsuaa(session, destination, (signIn) =>
            destination.clientId === signIn.clientId
              ? undefined
              : [
                  `the refresh token of the sign-in was issued to client "${signIn.clientId}" and works only for it, not for the destination's client "${destination.clientId ?? '(none)'}"`,
                  `Set clientId and clientSecret of "${name}" to those of the connection's xsuaa key, or sign in with an xsuaa key of client "${destination.clientId ?? ''}" (\`btp-connect login ${session.connection} --login-key <xsuaa-key.json>\`).`,
                ],
          );
          const refreshToken = client ? await session.refreshToken() : undefined;
          if (!refreshToken) {
            const fix = `Allow the "refresh_token" grant in the grant-types of the xsuaa key's xs-security.json, then sign in again (\`btp-connect login ${session.connection}\`).`;
            throw unavailable(name, authentication, 'the token service issued no refresh token at sign-in', fix);
          }
          return { userToken: token, refreshToken };
        }
        case 'authorizationCode': {
          sameXsuaa(session, destination, () =>
            destination.clientId ? undefined : ['it names no clientId to issue the code to', `Set clientId of "${name}" to the client of its token service.`],
          );
          const code = await session.authorizationCode({
            tokenServiceUrl: destination.tokenServiceURL ?? '',
            clientId: destination.clientId ?? '',
            destination: name,
          });
          return { userToken: token, code: code.code, redirectUri: code.redirectUri, codeVerifier: code.codeVerifier };
        }
      }
    },
  };
}

/** Destinations that need no user: the user's token when there is one; a sign-in that expired must not break them. */
async function anyUser(userToken: () => Promise<string | undefined>): Promise<FindOptions> {
  try {
    const token = await userToken();
    return token ? { userToken: token } : {};
  } catch (error) {
    if (isBtpError(error, ErrorCode.SignInRequired)) return {};
    throw error;
  }
}

/**
 * The user's refresh token or token goes to a destination's token service only when that is the sign-in's own XSUAA
 * (a tenant of its `uaadomain`), and only when `more` finds nothing else wrong. Resolves to the sign-in client.
 */
function sameXsuaa(
  session: UserSession,
  destination: DestinationRecord,
  more: (signIn: { readonly clientId: string; readonly uaaDomain: string }) => readonly [reason: string, fix: string] | undefined,
): { readonly clientId: string; readonly uaaDomain: string } {
  const name = destination.Name ?? '';
  const authentication = destination.Authentication ?? '';
  const signIn = session.signInClient;
  if (!signIn) {
    const fix = `Save the xsuaa key the user signs in with: \`btp-connect login ${session.connection} --login-key <xsuaa-key.json>\`.`;
    throw unavailable(name, authentication, `connection "${session.connection}" has no xsuaa key to tell which XSUAA its sign-in belongs to`, fix);
  }
  if (!inUaaDomain(destination.tokenServiceURL, signIn.uaaDomain)) {
    const where = destination.tokenServiceURL ? safeOrigin(destination.tokenServiceURL) : '(no tokenServiceURL)';
    throw unavailable(
      name,
      authentication,
      `its token service ${where} is not the XSUAA the user signed in to (${signIn.uaaDomain}), and the user's credentials go nowhere else`,
      `Point tokenServiceURL of "${name}" at the token service of ${signIn.uaaDomain}, or sign in with an xsuaa key of the XSUAA it names.`,
    );
  }
  const problem = more(signIn);
  if (problem) throw unavailable(name, authentication, ...problem);
  return signIn;
}

function unavailable(destination: string, authentication: string, reason: string, fix: string): BtpError {
  return new BtpError(ErrorCode.UserFlowUnavailable, `Destination "${destination}" uses ${authentication}, but ${reason}. ${fix}`, {
    details: { destination, authentication, fix },
  });
}
