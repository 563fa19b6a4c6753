export { TunnelSupervisor } from './supervisor';
export { isFatalTunnelLine } from './fatalLines';
export type {
  TunnelBackoff,
  TunnelEndpoint,
  TunnelMode,
  TunnelOptions,
  TunnelProbe,
  TunnelState,
  TunnelStateDetail,
  TunnelStateListener,
  TunnelTarget,
} from './types';
