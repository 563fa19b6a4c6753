import type { DestinationRecord, FindOptions } from './types';
import { AUTHENTICATIONS, type CallerSupplies } from '../destinations/authentication';
import { isAuthenticationType } from '../destinations/model';
import { BtpError, ErrorCode } from '../errors';

/**
 * Which user input a destination's find-destination needs (spec §3.2): the user's token (`X-user-token`), a refresh
 * token, an authorization code or a subject token. Decided from the destination's own `Authentication`, so that a
 * user's refresh token or token goes only to lookups of destinations that use it.
 */
export function userInputOf(destination: DestinationRecord | undefined): CallerSupplies | undefined {
  const authentication = destination?.Authentication;
  if (!authentication || !isAuthenticationType(authentication)) return undefined;
  // PrincipalPropagation's user goes to the connectivity proxy, not to find-destination.
  if (authentication === 'PrincipalPropagation') return undefined;
  const supplies = AUTHENTICATIONS[authentication].callerSupplies;
  // The deprecated SystemUser makes SAML flows act for that technical user.
  if (supplies === 'userToken' && destination.SystemUser) return undefined;
  return supplies;
}

/** Whether find-destination inputs carry what `input` asks for. */
export function hasUserInput(input: CallerSupplies, options: FindOptions): boolean {
  switch (input) {
    case 'userToken':
      return options.userToken !== undefined;
    case 'refreshToken':
      return options.refreshToken !== undefined;
    case 'authorizationCode':
      return options.code !== undefined;
    case 'subjectToken':
      return options.subjectToken !== undefined && options.subjectTokenType !== undefined;
  }
}

const headerOf: Readonly<Record<CallerSupplies, string>> = {
  userToken: 'the user token (X-user-token)',
  refreshToken: "the signed-in user's refresh token (X-refresh-token)",
  authorizationCode: 'an authorization code of the signed-in user (X-code)',
  subjectToken: "the signed-in user's token as subject token (X-subject-token)",
};

/**
 * The refusal of a user-flow destination when nobody is signed in: names the destination, its Authentication, the
 * input it lacks and the fix. `connection` undefined: the forward has no saved connection (a key file,
 * VCAP_SERVICES), which cannot hold a user.
 */
export function userFlowSignInRequired(destination: string, authentication: string, input: CallerSupplies, connection: string | undefined): BtpError {
  const fix =
    connection === undefined
      ? 'Forwards of a key file or VCAP_SERVICES act for nobody: save the keys as a connection (`btp-connect connect <name> --key <file>`), then sign in (`btp-connect login <connection>`, or Sign In on the connection in VS Code).'
      : `Sign in: \`btp-connect login ${connection}\`, or Sign In on the connection in VS Code.`;
  return new BtpError(
    ErrorCode.SignInRequired,
    `Destination "${destination}" uses ${authentication}: find-destination needs ${headerOf[input]}, and nobody is signed in to ${connection === undefined ? 'this forward' : `connection "${connection}"`}. ${fix}`,
    { details: { destination, authentication, missing: input, fix, ...(connection === undefined ? {} : { connection }) } },
  );
}

/**
 * Whether a token service URL belongs to the sign-in's XSUAA (its `uaadomain` or a tenant subdomain of it): only
 * there may the user's refresh token or token go to obtain something for another client of the same XSUAA.
 */
export function inUaaDomain(tokenServiceUrl: string | undefined, uaaDomain: string): boolean {
  if (!tokenServiceUrl) return false;
  let host: string;
  try {
    host = new URL(tokenServiceUrl).hostname.toLowerCase();
  } catch {
    return false;
  }
  const domain = uaaDomain.toLowerCase().replace(/:\d+$/, '');
  return domain !== '' && (host === domain || host.endsWith(`.${domain}`));
}
