import type { AuthTokenSuccess, CertificateRecord, DestinationRecord, FindResult } from '../destinationService/types';
import { AUTHENTICATIONS } from '../destinations/authentication';
import { isAuthenticationType } from '../destinations/model';
import type { FindOptions } from '../destinationService/types';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import { hasUserInput, userFlowSignInRequired, userInputOf } from '../destinationService/userFlows';
import { withTenantHeader } from '../destinationService/tenantHeader';
import { openClientKeystore } from '../forward/keystore';
import { timed, type HopRecorder } from './recorder';
import type { CheckOptions } from './types';
import { authTokenFailure, lookupFailure } from './verdicts';

/** What the auth-token hop yields for the request to the backend. */
export interface AuthOutcome {
  readonly destination: DestinationRecord;
  readonly certificates: readonly CertificateRecord[];
  readonly header?: { readonly key: string; readonly value: string };
  /** `Bearer <user token>` for PrincipalPropagation (SAP-Connectivity-Authentication). */
  readonly propagation?: string;
}

/** The destination's own credential: a second find-destination with token retrieval, as the SDK does (spec §3.4). */
export async function authToken(
  name: string,
  authentication: string,
  found: FindResult,
  options: CheckOptions,
  hops: HopRecorder,
): Promise<AuthOutcome | undefined> {
  const base = { destination: found.destinationConfiguration, certificates: found.certificates ?? [] };
  if (authentication === 'PrincipalPropagation') {
    if (!options.userToken) {
      hops.fail('authToken', 0, {
        code: ErrorCode.SignInRequired,
        detail: `Destination "${name}" uses PrincipalPropagation: the on-premise system needs a signed-in user, and nobody is signed in.`,
        fix: 'Sign in to the connection first (`btp-connect login <connection>`, or Sign In on the connection in VS Code).',
      });
      return undefined;
    }
    hops.ok('authToken', 0, "PrincipalPropagation: the signed-in user's token goes to the proxy as SAP-Connectivity-Authentication");
    return { ...base, propagation: `Bearer ${options.userToken}` };
  }
  const spec = isAuthenticationType(authentication) ? AUTHENTICATIONS[authentication] : undefined;
  const clientCertificate = authentication === 'ClientCertificateAuthentication';
  if (!spec?.tokenType && !clientCertificate) {
    hops.skip('authToken', `${authentication}: no token to fetch`);
    return base;
  }
  const inputs = await userFlowInputs(name, authentication, found.destinationConfiguration, options, hops);
  if (!inputs) return undefined;
  const full = await timed(() => options.client.find(name, inputs));
  if (!full.ok || !full.value) {
    const failure = full.ok ? lookupFailure(new BtpError(ErrorCode.NotFound, `Destination "${name}" was not found.`), name) : lookupFailure(full.error, name);
    hops.fail('authToken', full.ms, failure);
    return undefined;
  }
  if (clientCertificate) {
    // The credential is the key store from certificates[], presented in the TLS handshake with the backend.
    const keyStore = full.value.destinationConfiguration.KeyStoreLocation;
    const certificates = full.value.certificates ?? [];
    if (!keyStore || !certificates.some((certificate) => certificate.Name === keyStore)) {
      hops.fail('authToken', full.ms, {
        code: ErrorCode.NotFound,
        detail: keyStore
          ? `The key store "${keyStore}" named in KeyStoreLocation is not among the certificates the Destination service returned.`
          : 'ClientCertificateAuthentication without a KeyStoreLocation.',
        fix: `Upload the client key store (.p12 or .pem) as a certificate of the Destination service and name it in KeyStoreLocation of destination "${name}".`,
      });
      return undefined;
    }
    try {
      openClientKeystore(full.value.destinationConfiguration, certificates.find((certificate) => certificate.Name === keyStore) as CertificateRecord);
    } catch (error) {
      if (!isBtpError(error)) throw error;
      const field = error.field ?? 'KeyStoreLocation';
      hops.fail('authToken', full.ms, {
        code: error.code,
        detail: error.message,
        fix:
          field === 'KeyStorePassword'
            ? `Set KeyStorePassword of destination "${name}" to the password of the key store "${keyStore}".`
            : `Upload the key store "${keyStore}" again (PKCS#12 .p12, or PEM with certificate and key) and keep KeyStoreLocation of destination "${name}" naming it.`,
      });
      return undefined;
    }
    hops.ok('authToken', full.ms, `ClientCertificateAuthentication: key store ${keyStore} for the TLS handshake`);
    return { destination: full.value.destinationConfiguration, certificates };
  }
  const tokens = full.value.authTokens ?? [];
  const broken = tokens.find((entry) => entry.error !== undefined);
  if (broken?.error !== undefined) {
    hops.fail('authToken', full.ms, authTokenFailure(name, authentication, broken.error, spec?.needsUser === true));
    return undefined;
  }
  const first = tokens[0] as AuthTokenSuccess | undefined;
  if (!first?.http_header) {
    hops.fail('authToken', full.ms, {
      code: ErrorCode.TokenFailed,
      detail: `The Destination service returned no auth token for ${authentication} (authTokens is empty).`,
      fix: `Check the authentication properties of destination "${name}"; the service returns a token for ${authentication} when they are complete.`,
    });
    return undefined;
  }
  hops.ok('authToken', full.ms, `${first.type} token for header ${first.http_header.key}${first.expires_in ? ` (valid ${first.expires_in} s)` : ''}`);
  return { destination: full.value.destinationConfiguration, certificates: full.value.certificates ?? [], header: first.http_header };
}

/**
 * The lookup's inputs: the check's own, plus what a user flow needs from the signed-in user (refresh token, code,
 * subject token), chosen as a forward chooses them. Without them the hop fails with the forward's refusal.
 */
async function userFlowInputs(
  name: string,
  authentication: string,
  destination: DestinationRecord,
  options: CheckOptions,
  hops: HopRecorder,
): Promise<FindOptions | undefined> {
  const input = userInputOf(destination);
  if (!input) return withTenantHeader(options.findOptions ?? {}, destination, options.tenantSubdomain);
  try {
    const inputs = { ...options.findOptions, ...(options.userInputs ? await options.userInputs(destination) : {}) };
    if (!hasUserInput(input, inputs)) throw userFlowSignInRequired(name, authentication, input, undefined);
    return inputs;
  } catch (error) {
    if (!isBtpError(error)) throw error;
    const fix = typeof error.details?.fix === 'string' ? error.details.fix : `Change destination "${name}" or the sign-in as said.`;
    hops.fail('authToken', 0, { code: error.code, detail: error.message.replace(fix, '').trim(), fix });
    return undefined;
  }
}
