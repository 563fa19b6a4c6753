/** Service bindings and service keys: Destination, Connectivity and XSUAA. Pure Node; never imports `vscode`. */
export * from './types';
export { parseCredentials, deriveUaaDomain } from './parseCredentials';
export { parseServiceKeyText } from './serviceKeyText';
export { readServiceKeyFile } from './serviceKeyFile';
export { bindingsFromVcapServices, type VcapOptions } from './vcap';
export { selectBinding } from './select';
export { bindingsFromServiceBindingRoot } from './serviceBindingRoot';
export { loadBindingsFromEnv } from './env';
export { tokenEndpoint, type TokenEndpoint, type TokenTenant } from './tokenEndpoint';
export { detectKind } from './detect';
