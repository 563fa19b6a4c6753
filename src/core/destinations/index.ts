/** The destination model, its tables and the validator. Browser-safe: no Node modules anywhere below. */
export * from './model';
export { AUTHENTICATIONS, OAUTH_FAMILIES, OAUTH_OPTIONAL, requiredFor, type AuthenticationSpec, type CallerSupplies } from './authentication';
export { DESTINATION_TYPE_SPECS, RFC_CONNECTION_MODES, type DestinationTypeSpec, type RfcConnectionMode } from './destinationTypes';
export {
  PROPERTIES,
  PROPERTY_FAMILIES,
  caseInsensitiveMatch,
  isKnownProperty,
  propertyFamily,
  propertySpec,
  type PropertyFamilySpec,
  type PropertyKind,
  type PropertySpec,
} from './properties';
export { assertValidDestination, DestinationProblem, validateDestination } from './validate';
