import { STATUS_CODES } from 'node:http';
import { proxyUnreachableFix } from '../connectivity/proxyReach';
import { ErrorCode, isBtpError } from '../errors';
import type { HopFailure } from './types';

/**
 * The pure part of a check: what an error, a status or a SOCKS5 reply means at a given hop, and what to change.
 * Messages name the field, the key or the Cloud Connector setting at fault (spec §5, §6).
 */

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** The Destination service key's token: client credentials at the key's token service. */
export function tokenServiceFailure(error: unknown): HopFailure {
  const failure = fromError(error);
  switch (failure.code) {
    case ErrorCode.TokenRejected:
      return {
        ...failure,
        fix: 'Check "clientid" and "clientsecret" of the Destination service key: a deleted and re-created key has new credentials. Connect again with the current key.',
      };
    case ErrorCode.Unreachable:
    case ErrorCode.Timeout:
      return {
        ...failure,
        fix: reachFix(
          error,
          'Check "url" of the Destination service key and the network (VPN, HTTPS_PROXY, NO_PROXY); a token service with a private CA needs --ca <file>.',
        ),
      };
    default:
      return { ...failure, fix: 'The token service is failing; check "url" of the Destination service key, then try again later.' };
  }
}

/** Find-destination (`GET /destination-configuration/v1/destinations/<name>`). */
export function lookupFailure(error: unknown, name: string): HopFailure {
  const failure = fromError(error);
  switch (failure.code) {
    case ErrorCode.NotFound:
      return {
        ...failure,
        fix: `Create destination "${name}" at the subaccount or instance level of this Destination service, or correct the name (it is case-sensitive); \`btp-connect ls\` lists the names.`,
      };
    case ErrorCode.Unauthorized:
    case ErrorCode.Forbidden:
      return {
        ...failure,
        fix: 'The Destination service key must belong to a Destination service instance of the subaccount that holds the destination; connect again with a current key.',
      };
    case ErrorCode.Unreachable:
    case ErrorCode.Timeout:
      return {
        ...failure,
        fix: reachFix(error, 'Check "uri" of the Destination service key and the network (VPN, HTTPS_PROXY, NO_PROXY).'),
      };
    case ErrorCode.InvalidInput:
    case ErrorCode.Unsupported:
      return { ...failure, fix: `Correct ${failure.field ? `"${failure.field}"` : 'the properties'} of destination "${name}".` };
    default:
      return { ...failure, fix: 'The Destination service is failing; try again later.' };
  }
}

/** `authTokens[0].error`: the Destination service could not get the destination's own token. */
export function authTokenFailure(name: string, authentication: string, serviceError: string, needsUser: boolean): HopFailure {
  const fix = needsUser
    ? `${authentication} acts for a user: the lookup needs a signed-in user's token (X-user-token). Sign in to the connection, or check clientId, clientSecret and tokenServiceURL of destination "${name}".`
    : authentication === 'BasicAuthentication'
      ? `Set "User" and "Password" of destination "${name}".`
      : authentication.startsWith('OAuth2') || authentication.startsWith('SAML')
        ? `Check clientId, clientSecret (or tokenServiceUser and tokenServicePassword), tokenServiceURL and scope of destination "${name}": the Destination service used them to get the token and failed.`
        : `Check the authentication properties of destination "${name}".`;
  return { code: ErrorCode.TokenFailed, detail: `The Destination service could not get a token for ${authentication}: ${serviceError}`, fix };
}

/** A TCP connection that did not come up: to the backend (Internet) or to the connectivity proxy. */
export function connectFailure(error: unknown, endpoint: Endpoint, role: 'backend' | 'connectivityProxy' | 'socks5'): HopFailure {
  const code = errnoOf(error);
  const where = `${endpoint.host}:${endpoint.port}`;
  const timeout = code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
  const why =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `the host name ${endpoint.host} does not resolve`
      : code === 'ECONNREFUSED'
        ? 'nothing listens there (connection refused)'
        : timeout
          ? 'the connection timed out'
          : `the connection failed (${code ?? messageOf(error)})`;
  if (role === 'backend') {
    return {
      code: timeout ? ErrorCode.Timeout : ErrorCode.BackendUnreachable,
      detail: `${where} could not be reached: ${why}.`,
      fix:
        code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? "Check the host in the destination's URL (or Address); a system inside a corporate network needs ProxyType OnPremise and a Cloud Connector."
          : "Check host and port in the destination's URL (or Address), and that the system is up and reachable from this machine (firewall, VPN, HTTPS_PROXY).",
    };
  }
  const port = role === 'socks5' ? 'onpremise_socks5_proxy_port' : 'onpremise_proxy_http_port';
  // Out of reach from here is the normal case on real BTP without a tunnel: the code says so, the fix names the setup.
  return {
    code: ErrorCode.ProxyUnreachable,
    detail: `The connectivity proxy at ${where} could not be reached: ${why}.`,
    fix: proxyUnreachableFix(port),
  };
}

/** The connectivity service key's own token. */
export function connectivityTokenFailure(error: unknown): HopFailure {
  const failure = fromError(error);
  if (failure.code === ErrorCode.TokenRejected) {
    return {
      ...failure,
      fix: 'Check "clientid" and "clientsecret" of the connectivity service key (--connectivity-key, or the connection\'s): a re-created key has new credentials.',
    };
  }
  if (failure.code === ErrorCode.TunnelDown) return { ...failure, fix: 'The tunnel to the connectivity proxy went down during the check; run it again.' };
  return { ...failure, fix: 'Check "url" of the connectivity service key; the token service may be failing, try again later.' };
}

/** HTTP 407 or a failed SOCKS5 authentication: a token the connectivity proxy does not take. */
export function proxyAuthFailure(how: string, said?: string): HopFailure {
  return {
    code: ErrorCode.ConnectivityAuthRejected,
    detail: `The connectivity proxy refused the connectivity token (${how})${said ? `: ${said}` : '.'}`,
    fix: 'Use the connectivity service key of the subaccount that holds the destination (--connectivity-key, or reconnect the connection with it): the proxy takes only tokens of the Connectivity service.',
  };
}

export function noCloudConnector(locationId: string | undefined, how: string): HopFailure {
  const location = locationId ? `location ID "${locationId}"` : 'no location ID';
  return {
    code: ErrorCode.NoCloudConnector,
    detail: `No Cloud Connector is connected to the subaccount with ${location} (${how}).`,
    fix: locationId
      ? `Connect a Cloud Connector to this subaccount with location ID "${locationId}", or set the destination's CloudConnectorLocationId to the location ID of a connected one.`
      : "Connect a Cloud Connector to this subaccount without a location ID, or set the destination's CloudConnectorLocationId to the location ID of a connected one.",
  };
}

export function notExposed(target: Endpoint, protocol: 'HTTP' | 'TCP', path: string | undefined, how: string): HopFailure {
  const system = `${target.host}:${target.port}`;
  const resource = protocol === 'HTTP' ? ` and a resource "${path ?? '/'}" ("Path and all sub-paths" covers what is below it)` : '';
  return {
    code: ErrorCode.NotExposed,
    detail: `The Cloud Connector does not expose ${system}${protocol === 'HTTP' ? (path ?? '') : ''} (${how}).`,
    fix: `In the Cloud Connector, Cloud To On-Premise > Access Control: add virtual host "${target.host}", port ${target.port}, protocol ${protocol}${protocol === 'HTTP' ? ' (or HTTPS)' : ''}${resource}.${protocol === 'HTTP' ? ' Or check a path that is exposed (--path).' : ''}`,
  };
}

/**
 * The Cloud Connector refused an HTTP path after every earlier hop worked: the way is fine, the path is not exposed
 * (a warning). `exposed`: the system's exposed resources where the check can know them; `recent`: paths below the
 * destination's URL that worked through its forwards lately (so exposed).
 */
export function pathNotExposed(
  target: Endpoint,
  path: string,
  how: string,
  exposed: readonly string[] | undefined,
  recent: readonly string[] = [],
): HopFailure {
  const system = `${target.host}:${target.port}`;
  const known = exposed && exposed.length > 0 ? ` Exposed for ${system}: ${exposed.join(', ')}.` : exposed ? ` Nothing is exposed for ${system} yet.` : '';
  const worked = recent.length > 0 ? ` Worked recently through a forward of this destination: ${recent.join(', ')}.` : '';
  const example = recent[0] ?? (exposed && exposed.length > 0 ? exposed[0]?.replace(/ and below$/, '') : undefined);
  return {
    code: ErrorCode.NotExposed,
    detail: `The way works up to the Cloud Connector, which does not expose ${system}${path} (${how}).${known}${worked}`,
    fix: `Check a path that is exposed (--path)${example ? `, e.g. ${example}` : ''}, or expose this one: in the Cloud Connector, Cloud To On-Premise > Access Control > ${system}, add a resource "${path}" ("Path and all sub-paths" covers what is below it).`,
  };
}

export function backendBehindConnector(target: Endpoint, how: string, said?: string): HopFailure {
  return {
    code: ErrorCode.BackendUnreachable,
    detail: `The Cloud Connector could not reach the system behind ${target.host}:${target.port} (${how})${said ? `: ${said}` : '.'}`,
    fix: `Check the internal host and port of the Cloud Connector's access-control entry for ${target.host}:${target.port}, and that the system is up and reachable from the Cloud Connector's machine.`,
  };
}

/** Node's certificate verification codes, in words. */
const tlsReasons: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is not a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT: 'its issuer is not a trusted CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in a CA that is not trusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it does not name this host',
  CERT_REVOKED: 'it is revoked',
};

/** Verification codes (chain, name, validity) as opposed to handshake failures (`ERR_SSL_*`, resets). */
export function isCertificateError(code: string | undefined): boolean {
  return code !== undefined && (code in tlsReasons || /CERT/.test(code));
}

/**
 * The certificate of an HTTPS backend was refused (verification) or the handshake failed. `proxy` (host:port): the
 * connection went through this machine's proxy, whose TLS inspection re-signs certificates with its own CA.
 */
export function tlsFailure(
  code: string | undefined,
  host: string,
  certificate?: { subject?: string; issuer?: string; validTo?: string },
  message?: string,
  proxy?: string,
): HopFailure {
  const about = certificate
    ? ` (${[certificate.subject && `subject ${certificate.subject}`, certificate.issuer && `issuer ${certificate.issuer}`, certificate.validTo && `valid to ${certificate.validTo}`].filter(Boolean).join(', ')})`
    : '';
  if (!isCertificateError(code)) {
    return {
      code: ErrorCode.Unreachable,
      detail: `The TLS handshake with ${host} failed (${code ?? message ?? 'unknown error'}).`,
      fix: "Check that the destination's URL scheme matches the port: https:// for a TLS port, http:// for a plain one.",
    };
  }
  const reason = tlsReasons[code ?? ''] ?? `it failed verification (${code})`;
  const fix =
    code === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? `Use the host name the certificate is issued for in the destination's URL, or have the server present a certificate for ${host}. TrustAll=true skips the check (testing only).`
      : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
        ? 'The server must present a currently valid certificate; TrustAll=true skips the check (testing only).'
        : proxy
          ? `The proxy at ${proxy} may inspect TLS and sign with its own CA${certificate?.issuer ? ` (${certificate.issuer})` : ''}: trust that CA on this machine with --ca <file>, NODE_EXTRA_CA_CERTS=<file> or btpConnect.http.caFile. Otherwise upload the issuing CA to the Destination service and name it in the destination's TrustStoreLocation, or set TrustAll=true (testing only).`
          : "Upload the issuing CA as a .pem certificate to the Destination service and name it in the destination's TrustStoreLocation, or set TrustAll=true (testing only); forwards and checks on this machine also trust a CA given with --ca <file>, NODE_EXTRA_CA_CERTS or btpConnect.http.caFile.";
  return { code: ErrorCode.Unreachable, detail: `The certificate of ${host} is not accepted: ${reason} [${code}]${about}.`, fix };
}

/** The backend's own answer, ending the walk. Follows the Cloud Connector's "Check Connection": below 500 the system answers. */
export function responseVerdict(status: number, authentication: string, name: string): { ok: true; detail: string } | { ok: false; failure: HopFailure } {
  const phrase = `${status} ${STATUS_CODES[status] ?? ''}`.trim();
  if (status === 401 || status === 403) {
    const credentials =
      authentication === 'NoAuthentication'
        ? `The system wants credentials and destination "${name}" sends none: set its Authentication (e.g. BasicAuthentication with User and Password).`
        : authentication === 'BasicAuthentication'
          ? `Check "User" and "Password" of destination "${name}"${status === 403 ? ', and that this user has the authorisations the path needs' : ''}.`
          : authentication === 'PrincipalPropagation'
            ? "The system refused the propagated user: check the Cloud Connector's principal type and the user mapping in the system."
            : `Check the credentials of destination "${name}" (${authentication}): the system refused what the Destination service issued${status === 403 ? ', or the user lacks authorisation for this path' : ''}.`;
    return {
      ok: false,
      failure: { code: status === 401 ? ErrorCode.Unauthorized : ErrorCode.Forbidden, detail: `The system answered ${phrase}.`, fix: credentials },
    };
  }
  if (status >= 500) {
    return {
      ok: false,
      failure: {
        code: ErrorCode.ServiceError,
        detail: `The system answered ${phrase}.`,
        fix: 'The system itself is failing: see its logs; the path to it works.',
      },
    };
  }
  if (status >= 400) return { ok: true, detail: `${phrase}: the system answers, though not with success for this path (check the URL or --path).` };
  return { ok: true, detail: phrase };
}

/** A failure as a `HopFailure` without a fix yet: the error's code and (redacted later) message. */
export function fromError(error: unknown): HopFailure & { field?: string } {
  if (isBtpError(error)) return { code: error.code, detail: error.message, fix: '', ...(error.field ? { field: error.field } : {}) };
  return { code: ErrorCode.ServiceError, detail: messageOf(error), fix: '' };
}

/** Where a service was not reached: trust its CA when its certificate was refused, else `otherwise` (the key's URL, the network). */
function reachFix(error: unknown, otherwise: string): string {
  return untrustedCertificate(error)
    ? 'Trust the CA named above on this machine: --ca <file>, NODE_EXTRA_CA_CERTS=<file>, or btpConnect.http.caFile in VS Code (a TLS-inspecting proxy signs with its own CA).'
    : otherwise;
}

/** A service's certificate failed verification (sendRequest keeps Node's code in `details.code`). */
function untrustedCertificate(error: unknown): boolean {
  const code = isBtpError(error) ? error.details?.code : undefined;
  return typeof code === 'string' && isCertificateError(code);
}

export function errnoOf(error: unknown): string | undefined {
  for (let current: unknown = error; current instanceof Error; current = (current as Error & { cause?: unknown }).cause) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
