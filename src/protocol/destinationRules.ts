/**
 * The destination rules the editor webview applies while the user types: the same model and validator the
 * extension and the CLI apply on save, so the form and the save check can never disagree. The webview reaches
 * the core only through this file (layers: webview → protocol → core).
 */
export {
  AUTHENTICATIONS,
  DESTINATION_TYPE_SPECS,
  RFC_CONNECTION_MODES,
  isAuthenticationType,
  isDestinationType,
  isSecretProperty,
  propertySpec,
  requiredFor,
  validateDestination,
  validateFragment,
  type DestinationTypeSpec,
} from '../core/destinations';
export type { ErrorCode, ValidationIssue } from '../core/errors';
