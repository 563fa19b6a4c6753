import { ErrorCode } from '../core/errors';

/** The CLI's heading for each error code; the core's message follows it with the details and the fix. */
export const errorHeadings: Record<ErrorCode, string> = {
  [ErrorCode.InvalidInput]: 'Invalid input',
  [ErrorCode.BindingInvalid]: 'Service key not usable',
  [ErrorCode.BindingNotFound]: 'Service binding not found',
  [ErrorCode.TokenRejected]: 'Sign-in refused by the token service',
  [ErrorCode.TokenFailed]: 'Token service failed',
  [ErrorCode.NotFound]: 'Not found',
  [ErrorCode.Unauthorized]: 'Not authorised',
  [ErrorCode.Forbidden]: 'Access denied',
  [ErrorCode.AlreadyExists]: 'Already exists',
  [ErrorCode.Conflict]: 'Changed meanwhile',
  [ErrorCode.BadRequest]: 'Request refused',
  [ErrorCode.PartialFailure]: 'Partly failed',
  [ErrorCode.ServiceError]: 'Service error',
  [ErrorCode.Unreachable]: 'Service unreachable',
  [ErrorCode.Timeout]: 'Timed out',
  [ErrorCode.KeychainUnavailable]: 'OS keychain unavailable',
  [ErrorCode.ConnectionNotFound]: 'Connection not found',
};
