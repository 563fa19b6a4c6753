/**
 * Every failure the core reports is a `BtpError` with a stable `code`. Callers (CLI, extension) match on
 * `code`, never on message text, and turn codes into words themselves; the message here is a precise,
 * developer-facing English sentence that names the field or service at fault and, where one exists, the fix.
 */

export const ErrorCode = {
  /** Input failed validation; `issues` lists each field with its problem. */
  InvalidInput: 'BTP_INVALID_INPUT',
  /** A service key / binding is malformed or lacks a field; `field` names it. */
  BindingInvalid: 'BTP_BINDING_INVALID',
  /** No binding of the wanted service in VCAP_SERVICES / SERVICE_BINDING_ROOT / the given text. */
  BindingNotFound: 'BTP_BINDING_NOT_FOUND',
  /** The token service rejected the client or grant (OAuth error JSON, 400/401). */
  TokenRejected: 'BTP_TOKEN_REJECTED',
  /** The token service answered but not with a usable token (5xx, bad JSON, missing access_token). */
  TokenFailed: 'BTP_TOKEN_FAILED',
  /** 404 from a service, or a named object that does not exist. */
  NotFound: 'BTP_NOT_FOUND',
  /** 401: the bearer token is missing, invalid or expired. */
  Unauthorized: 'BTP_UNAUTHORIZED',
  /** 403: the token is valid but lacks access. */
  Forbidden: 'BTP_FORBIDDEN',
  /** 409: an object of that name exists already. */
  AlreadyExists: 'BTP_ALREADY_EXISTS',
  /** 412 / ETag mismatch: someone else changed the object since it was read. */
  Conflict: 'BTP_CONFLICT',
  /** An editor opened while its connection acted for one tenant, the connection now acting for another; `details` names both. */
  TenantChanged: 'BTP_TENANT_CHANGED',
  /** A certificate of the Destination service is named by destinations (KeyStoreLocation, …); `details.references` lists them. */
  CertificateInUse: 'BTP_CERTIFICATE_IN_USE',
  /** 400 from a service: the request was malformed or contradictory. */
  BadRequest: 'BTP_BAD_REQUEST',
  /** 207: a bulk operation succeeded only in part; `details` lists each item. */
  PartialFailure: 'BTP_PARTIAL_FAILURE',
  /** 5xx or an unexpected answer from a service. */
  ServiceError: 'BTP_SERVICE_ERROR',
  /** The service could not be reached (DNS, refused, reset, TLS). */
  Unreachable: 'BTP_UNREACHABLE',
  /** The service did not answer in time. */
  Timeout: 'BTP_TIMEOUT',
  /**
   * A circuit breaker is open after repeated outages (unreachable, timeout, 5xx): calls fail fast without
   * contacting the service until the next trial; `details` has `service`, `retryAt` and `retryAfterSeconds`.
   */
  ServiceUnavailable: 'BTP_SERVICE_UNAVAILABLE',
  /** No OS keychain (Secret Service, Keychain, Credential Manager) could be used. */
  KeychainUnavailable: 'BTP_KEYCHAIN_UNAVAILABLE',
  /** A stored connection is unknown or incomplete (e.g. its secret is gone from the keychain). */
  ConnectionNotFound: 'BTP_CONNECTION_NOT_FOUND',
  /** The connectivity proxy refused the connectivity token (HTTP 407, SOCKS5 auth reply or REP 0x05). */
  ConnectivityAuthRejected: 'BTP_CONNECTIVITY_AUTH',
  /** No Cloud Connector is connected for the subaccount and location ID (HTTP 503, SOCKS5 REP 0x03). */
  NoCloudConnector: 'BTP_NO_CLOUD_CONNECTOR',
  /** The Cloud Connector has no access-control entry for the host, port or path (HTTP 403, SOCKS5 REP 0x02). */
  NotExposed: 'BTP_NOT_EXPOSED',
  /** The Cloud Connector, or a direct connection, could not reach the backend (SOCKS5 REP 0x04, HTTP 502). */
  BackendUnreachable: 'BTP_BACKEND_UNREACHABLE',
  /** A forwarded request or connection failed upstream for a reason that is not a BtpError (a socket error mid-way). */
  UpstreamFailed: 'BTP_UPSTREAM_FAILED',
  /** A peer broke a wire protocol (SOCKS5 bytes, proxy answer). */
  ProtocolError: 'BTP_PROTOCOL_ERROR',
  /** A local port is taken; nothing was started. */
  PortInUse: 'BTP_PORT_IN_USE',
  /** A tunnel child (cf ssh, kubectl, custom) failed at start-up and is not retried. */
  TunnelFailed: 'BTP_TUNNEL_FAILED',
  /** The tunnel is reconnecting: connections fail fast until it is back. */
  TunnelDown: 'BTP_TUNNEL_DOWN',
  /** A forward holds its maximum of upstream connections (`maxConnections`): further ones are refused at once. */
  ForwardBusy: 'BTP_FORWARD_BUSY',
  /** The request asks for something BTP Connect does not do (e.g. an RFC destination over a TCP forward). */
  Unsupported: 'BTP_UNSUPPORTED',
  /** A PrivateLink destination: its endpoint is reachable only from inside BTP (SAP Private Link), never from a laptop. */
  PrivateLinkOnly: 'BTP_PRIVATE_LINK',
  /** An RFC destination: RFC is no HTTP or TCP a forward could carry; `details.nodeRfc` holds the settings for node-rfc/JCo. */
  RfcDestination: 'BTP_RFC_DESTINATION',
  /** A user must sign in (again) to the connection: nobody is signed in, or the sign-in has expired. */
  SignInRequired: 'BTP_SIGN_IN_REQUIRED',
  /** The browser sign-in did not complete: cancelled, denied, or the authorization code was refused. */
  SignInFailed: 'BTP_SIGN_IN_FAILED',
  /**
   * No client to sign users in with: the connection has no xsuaa service key for sign-in, or the token service
   * refuses the browser sign-in for its client (redirect URI not registered, authorization_code not allowed).
   */
  SignInNotConfigured: 'BTP_SIGN_IN_NOT_CONFIGURED',
  /**
   * A user is signed in, but a user-flow destination cannot be served with that sign-in: its refresh token belongs to
   * another client, or its token service issues no authorization code without a browser; `details.destination`.
   */
  UserFlowUnavailable: 'BTP_USER_FLOW_UNAVAILABLE',
  /** A forward refused a local request before forwarding it (foreign Host/Origin, cross-site, dot segments, framing). */
  LocalRequestRefused: 'BTP_LOCAL_REQUEST_REFUSED',
  /** A forward on a shared machine needs its local token, and the request had none or another. */
  LocalTokenRequired: 'BTP_LOCAL_TOKEN_REQUIRED',
  /** A one-port forward could not read a destination name from the request's path or X-Destination-Name. */
  DestinationNameInvalid: 'BTP_DESTINATION_NAME_INVALID',
  /** The outbound HTTP proxy (HTTPS_PROXY, http.proxy) answered 407: no or wrong proxy credentials; `details.proxy` is host:port. */
  ProxyAuthRejected: 'BTP_PROXY_AUTH',
  /** The connectivity proxy cannot be reached from this machine (it answers only inside Cloud Foundry or Kyma): a tunnel is needed. */
  ProxyUnreachable: 'BTP_PROXY_UNREACHABLE',
  /** A program a tunnel needs (`cf` v7 or later, `kubectl`) is not installed or too old; `details.tool` names it. */
  ToolMissing: 'BTP_TOOL_MISSING',
  /** `cf` or `kubectl` has no login; `details.tool` names it. */
  CliNotLoggedIn: 'BTP_CLI_NOT_LOGGED_IN',
  /** The login of `cf` or `kubectl` expired or was revoked; `details.tool` names it. */
  CliLoginExpired: 'BTP_CLI_LOGIN_EXPIRED',
  /** `cf` targets no org or space, or another space than the one the tunnel app lives in. */
  CfNoTarget: 'BTP_CF_NO_TARGET',
  /** SSH is disabled for the Cloud Foundry space (or the whole platform): no app there can carry a tunnel. */
  SshDisabledSpace: 'BTP_SSH_DISABLED_SPACE',
  /** SSH is disabled for the Cloud Foundry app. */
  SshDisabledApp: 'BTP_SSH_DISABLED_APP',
  /** The Cloud Foundry app is not bound to a Connectivity service instance, so its container cannot reach the proxy. */
  TunnelAppNotBound: 'BTP_TUNNEL_APP_NOT_BOUND',
  /** The tunnel app does not run: it crashed, failed to start or is stopped. */
  TunnelAppCrashed: 'BTP_TUNNEL_APP_CRASHED',
  /** The org's or space's memory quota cannot take the tunnel app. */
  QuotaExceeded: 'BTP_QUOTA_EXCEEDED',
  /** The API server of the kube context cannot be reached (network, VPN, a deleted cluster). */
  KubeUnreachable: 'BTP_KUBE_UNREACHABLE',
  /** Kubernetes RBAC refused a request (`Error from server (Forbidden)`). */
  KubeForbidden: 'BTP_KUBE_FORBIDDEN',
  /** VS Code's Restricted Mode: the workspace is not trusted, so its launch configurations may not start forwards. */
  WorkspaceUntrusted: 'BTP_WORKSPACE_UNTRUSTED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One problem with one field of some input (a service key, a destination, a CLI argument). */
export interface ValidationIssue {
  /** The property as the user wrote it, e.g. `URL`, `clientsecret`, `credentials.uaadomain`. */
  readonly field: string;
  /** Stable sub-code, e.g. `required`, `invalid_url`, `forbidden_char`. */
  readonly problem: string;
  /** A sentence naming the field, what is wrong and how to fix it. */
  readonly message: string;
  /** `warning` issues do not block saving (e.g. an `https://` URL on an OnPremise destination). */
  readonly severity?: 'error' | 'warning';
}

export interface BtpErrorOptions {
  readonly cause?: unknown;
  /** HTTP status the service answered with, when the error comes from a service. */
  readonly status?: number | undefined;
  /** The service's own error text (e.g. `ErrorMessage`, `error_description`), verbatim. */
  readonly serviceMessage?: string | undefined;
  /** The input field at fault. */
  readonly field?: string | undefined;
  readonly issues?: readonly ValidationIssue[];
  /** Extra structured context (never secrets). */
  readonly details?: Readonly<Record<string, unknown>>;
}

// A registry-wide symbol so that `isBtpError` works across the separately bundled copies of the core
// (CLI, extension and sandbox each carry one), the way undici brands its errors.
const brand = Symbol.for('btp-connect.BtpError');

export class BtpError extends Error {
  readonly code: ErrorCode;
  readonly status: number | undefined;
  readonly serviceMessage: string | undefined;
  readonly field: string | undefined;
  readonly issues: readonly ValidationIssue[];
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: BtpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BtpError';
    this.code = code;
    this.status = options.status;
    this.serviceMessage = options.serviceMessage;
    this.field = options.field ?? options.issues?.[0]?.field;
    this.issues = options.issues ?? [];
    this.details = options.details;
    Object.defineProperty(this, brand, { value: true });
  }

  /** Plain JSON for `--json` output and logs; carries no stack and no cause chain. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.serviceMessage === undefined ? {} : { serviceMessage: this.serviceMessage }),
      ...(this.field === undefined ? {} : { field: this.field }),
      ...(this.issues.length === 0 ? {} : { issues: this.issues }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isBtpError(value: unknown, code?: ErrorCode): value is BtpError {
  const branded = typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  return branded && (code === undefined || (value as BtpError).code === code);
}

/** An `InvalidInput` error for a list of issues; the message lists every issue, one per line. */
export function validationError(subject: string, issues: readonly ValidationIssue[]): BtpError {
  const lines = issues.map((issue) => `  - ${issue.message}`).join('\n');
  return new BtpError(ErrorCode.InvalidInput, `${subject} is not valid:\n${lines}`, { issues });
}
