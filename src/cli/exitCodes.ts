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
  6  conflict: exists already, or changed by someone else meanwhile
  7  service unreachable, timed out or failing (5xx); memory quota exceeded, tunnel app not running
  8  no OS keychain available`;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.InvalidInput:
    case ErrorCode.BindingInvalid:
    case ErrorCode.BadRequest:
    case ErrorCode.SignInNotConfigured:
      return ExitCode.InvalidInput;
    case ErrorCode.NotFound:
    case ErrorCode.BindingNotFound:
    case ErrorCode.ConnectionNotFound:
      return ExitCode.NotFound;
    case ErrorCode.Unauthorized:
    case ErrorCode.Forbidden:
    case ErrorCode.TokenRejected:
      return ExitCode.AccessDenied;
    case ErrorCode.AlreadyExists:
    case ErrorCode.Conflict:
    case ErrorCode.PartialFailure:
      return ExitCode.Conflict;
    case ErrorCode.ServiceError:
    case ErrorCode.Unreachable:
    case ErrorCode.Timeout:
    case ErrorCode.ServiceUnavailable:
    case ErrorCode.TokenFailed:
      return ExitCode.ServiceFailure;
    case ErrorCode.KeychainUnavailable:
      return ExitCode.Keychain;
    case ErrorCode.ConnectivityAuthRejected:
    case ErrorCode.SignInRequired:
    case ErrorCode.SignInFailed:
      return ExitCode.AccessDenied;
    case ErrorCode.NoCloudConnector:
    case ErrorCode.NotExposed:
    case ErrorCode.BackendUnreachable:
    case ErrorCode.ProtocolError:
    case ErrorCode.TunnelFailed:
    case ErrorCode.TunnelDown:
    case ErrorCode.ForwardBusy:
      return ExitCode.ServiceFailure;
    case ErrorCode.PortInUse:
      return ExitCode.Conflict;
    case ErrorCode.Unsupported:
    case ErrorCode.LocalRequestRefused:
    case ErrorCode.DestinationNameInvalid:
      return ExitCode.InvalidInput;
    case ErrorCode.LocalTokenRequired:
    case ErrorCode.ProxyAuthRejected:
      return ExitCode.AccessDenied;
    case ErrorCode.ToolMissing:
    case ErrorCode.CfNoTarget:
      return ExitCode.NotFound;
    case ErrorCode.CliNotLoggedIn:
    case ErrorCode.CliLoginExpired:
    case ErrorCode.SshDisabledSpace:
    case ErrorCode.SshDisabledApp:
    case ErrorCode.KubeForbidden:
      return ExitCode.AccessDenied;
    case ErrorCode.TunnelAppNotBound:
      return ExitCode.InvalidInput;
    case ErrorCode.ProxyUnreachable:
    case ErrorCode.TunnelAppCrashed:
    case ErrorCode.QuotaExceeded:
    case ErrorCode.KubeUnreachable:
      return ExitCode.ServiceFailure;
  }
}
