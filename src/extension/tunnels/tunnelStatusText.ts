import { formatTunnelMode } from '../../core/tunnel/tunnelMode';
import type { TunnelEntry } from '../connections/connectionRegistry';

/** The status bar's words for one connection's tunnel: an icon by state, the connection, the state; the mode in the tooltip. */
export function tunnelStatusText(entry: TunnelEntry): { text: string; tooltip: string; warning: boolean } {
  const icon =
    entry.state === 'ready'
      ? '$(plug)'
      : entry.state === 'failed'
        ? '$(error)'
        : entry.state === 'idle' || entry.state === 'stopped'
          ? '$(debug-disconnect)'
          : '$(sync~spin)';
  const state = entry.state === 'idle' ? 'idle (starts with the first forward)' : entry.state;
  return {
    text: `${icon} ${entry.connection}: tunnel ${entry.state}`,
    tooltip: `Tunnel of ${entry.connection} to the connectivity proxy: ${formatTunnelMode(entry.mode)}, ${state}. Click to set it up again.`,
    warning: entry.state === 'failed' || entry.state === 'reconnecting',
  };
}
