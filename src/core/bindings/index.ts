/** Service bindings and service keys: Destination, Connectivity and XSUAA. Pure Node; never imports `vscode`. */
export * from './types';
export { parseCredentials, deriveUaaDomain } from './parseCredentials';
export { parseServiceKeyText } from './serviceKeyText';
export { readServiceKeyFile } from './serviceKeyFile';
export { bindingsFromVcapServices } from './vcap';
export { selectBinding } from './select';
export { bindingsFromServiceBindingRoot } from './serviceBindingRoot';
export { loadBindingsFromEnv } from './env';
export { tokenEndpoint, type TokenTenant } from './tokenEndpoint';
