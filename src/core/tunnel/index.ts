export { TunnelSupervisor } from './supervisor';
export { isFatalTunnelLine } from './fatalLines';
export type { TunnelEndpoint, TunnelMode, TunnelOptions, TunnelProbe, TunnelState, TunnelStateDetail } from './types';
