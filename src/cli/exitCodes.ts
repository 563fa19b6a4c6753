import { ErrorCode } from '../core/errors';

/** Exit codes, stable across releases; `btp-connect --help` prints this table. */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  InvalidInput: 3,
  NotFound: 4,
  AccessDenied: 5,
  Conflict: 6,
  ServiceFailure: 7,
  Keychain: 8,
} as const;

export const exitCodeHelp = `Exit codes:
  0  success
  1  unexpected failure
  2  usage error (unknown command or option)
  3  invalid input: a destination, service key or file that fails validation, or no key to sign users in with
  4  not found: destination, certificate, connection or binding; cf, kubectl or a cf target
  5  access denied: token rejected, 401 or 403, sign-in required or failed, proxy credentials refused; cf or
     kubectl not logged in, SSH or Kubernetes RBAC refused
  6  conflict: exists already, changed by someone else meanwhile, or a certificate still in use
  7  service unreachable, timed out or failing (5xx); memory quota exceeded, tunnel app not running
  8  no OS keychain available`;

/** The exit code of each error code: a table, so that a new code cannot be added without one. */
const exitCodes: Record<ErrorCode, number> = {
  [ErrorCode.InvalidInput]: ExitCode.InvalidInput,
  [ErrorCode.BindingInvalid]: ExitCode.InvalidInput,
  [ErrorCode.BadRequest]: ExitCode.InvalidInput,
  [ErrorCode.SignInNotConfigured]: ExitCode.InvalidInput,
  [ErrorCode.UserFlowUnavailable]: ExitCode.InvalidInput,
  [ErrorCode.NotFound]: ExitCode.NotFound,
  [ErrorCode.BindingNotFound]: ExitCode.NotFound,
  [ErrorCode.ConnectionNotFound]: ExitCode.NotFound,
  [ErrorCode.Unauthorized]: ExitCode.AccessDenied,
  [ErrorCode.Forbidden]: ExitCode.AccessDenied,
  [ErrorCode.TokenRejected]: ExitCode.AccessDenied,
  [ErrorCode.AlreadyExists]: ExitCode.Conflict,
  [ErrorCode.Conflict]: ExitCode.Conflict,
  [ErrorCode.TenantChanged]: ExitCode.Conflict,
  [ErrorCode.CertificateInUse]: ExitCode.Conflict,
  [ErrorCode.PartialFailure]: ExitCode.Conflict,
  [ErrorCode.ServiceError]: ExitCode.ServiceFailure,
  [ErrorCode.Unreachable]: ExitCode.ServiceFailure,
  [ErrorCode.Timeout]: ExitCode.ServiceFailure,
  [ErrorCode.ServiceUnavailable]: ExitCode.ServiceFailure,
  [ErrorCode.TokenFailed]: ExitCode.ServiceFailure,
  [ErrorCode.KeychainUnavailable]: ExitCode.Keychain,
  [ErrorCode.ConnectivityAuthRejected]: ExitCode.AccessDenied,
  [ErrorCode.SignInRequired]: ExitCode.AccessDenied,
  [ErrorCode.SignInFailed]: ExitCode.AccessDenied,
  [ErrorCode.NoCloudConnector]: ExitCode.ServiceFailure,
  [ErrorCode.NotExposed]: ExitCode.ServiceFailure,
  [ErrorCode.BackendUnreachable]: ExitCode.ServiceFailure,
  [ErrorCode.UpstreamFailed]: ExitCode.ServiceFailure,
  [ErrorCode.ProtocolError]: ExitCode.ServiceFailure,
  [ErrorCode.TunnelFailed]: ExitCode.ServiceFailure,
  [ErrorCode.TunnelDown]: ExitCode.ServiceFailure,
  [ErrorCode.ForwardBusy]: ExitCode.ServiceFailure,
  [ErrorCode.PortInUse]: ExitCode.Conflict,
  [ErrorCode.Unsupported]: ExitCode.InvalidInput,
  [ErrorCode.PrivateLinkOnly]: ExitCode.InvalidInput,
  [ErrorCode.RfcDestination]: ExitCode.InvalidInput,
  [ErrorCode.LocalRequestRefused]: ExitCode.InvalidInput,
  [ErrorCode.DestinationNameInvalid]: ExitCode.InvalidInput,
  [ErrorCode.LocalTokenRequired]: ExitCode.AccessDenied,
  [ErrorCode.ProxyAuthRejected]: ExitCode.AccessDenied,
  [ErrorCode.ToolMissing]: ExitCode.NotFound,
  [ErrorCode.CfNoTarget]: ExitCode.NotFound,
  [ErrorCode.CliNotLoggedIn]: ExitCode.AccessDenied,
  [ErrorCode.CliLoginExpired]: ExitCode.AccessDenied,
  [ErrorCode.SshDisabledSpace]: ExitCode.AccessDenied,
  [ErrorCode.SshDisabledApp]: ExitCode.AccessDenied,
  [ErrorCode.KubeForbidden]: ExitCode.AccessDenied,
  [ErrorCode.WorkspaceUntrusted]: ExitCode.AccessDenied,
  [ErrorCode.TunnelAppNotBound]: ExitCode.InvalidInput,
  [ErrorCode.ProxyUnreachable]: ExitCode.ServiceFailure,
  [ErrorCode.TunnelAppCrashed]: ExitCode.ServiceFailure,
  [ErrorCode.QuotaExceeded]: ExitCode.ServiceFailure,
  [ErrorCode.KubeUnreachable]: ExitCode.ServiceFailure,
};

export function exitCodeFor(code: ErrorCode): number {
  return exitCodes[code];
}
