/** The destination model, its tables and the validator. Browser-safe: no Node modules anywhere below. */
export * from './model';
export { AUTHENTICATIONS, requiredFor } from './authentication';
export { DESTINATION_TYPE_SPECS, RFC_CONNECTION_MODES, type DestinationTypeSpec } from './destinationTypes';
export { propertySpec } from './properties';
export { validateDestination } from './validate';
export { validateFragment } from './validateFragment';
