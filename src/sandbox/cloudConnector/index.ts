export { CloudConnector, type CloudConnectorOptions, type ConnectorState, type ConnectorStateDetail, type ConnectorStats } from './connector';
export { backoffDelay, type BackoffPolicy } from './backoff';
export { checkHttpAccess, checkTcpAccess, rewriteLocation } from './accessControl';
export { defaultLocationMappings, secondLocationMappings } from './sandboxMappings';
export type { AuthenticationMode, BackendProtocol, MappedResource, SystemMapping } from './types';
