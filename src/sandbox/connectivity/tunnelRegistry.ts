import { EventEmitter } from 'node:events';
import type { ClientHttp2Session } from 'node:http2';

/** One connected Cloud Connector: the routing key and the HTTP/2 session the proxy opens streams on. */
export interface Tunnel {
  readonly subaccountId: string;
  readonly locationId: string;
  readonly session: ClientHttp2Session;
  readonly connectedAt: Date;
}

export interface TunnelRegistryEvents {
  connected: [tunnel: Tunnel];
  disconnected: [tunnel: Tunnel];
}

/**
 * The connectors the proxy knows, keyed by (subaccount, location ID) as spec §6 routes. Emits `connected` and
 * `disconnected` so that tests (and the UI) wait on facts instead of timers.
 */
export class TunnelRegistry extends EventEmitter<TunnelRegistryEvents> {
  private readonly tunnels = new Map<string, Tunnel>();
  /** Registrations accepted since start: a test proves many streams share one connection with it. */
  accepted = 0;

  get(subaccountId: string, locationId: string): Tunnel | undefined {
    const tunnel = this.tunnels.get(keyOf(subaccountId, locationId));
    return tunnel && !tunnel.session.closed && !tunnel.session.destroyed ? tunnel : undefined;
  }

  list(): Tunnel[] {
    return [...this.tunnels.values()];
  }

  /** Registers a tunnel unless a live one holds the key; returns false then (the connector retries later). */
  add(tunnel: Tunnel): boolean {
    if (this.get(tunnel.subaccountId, tunnel.locationId)) return false;
    this.tunnels.set(keyOf(tunnel.subaccountId, tunnel.locationId), tunnel);
    this.accepted++;
    this.emit('connected', tunnel);
    return true;
  }

  remove(tunnel: Tunnel): void {
    const key = keyOf(tunnel.subaccountId, tunnel.locationId);
    if (this.tunnels.get(key) !== tunnel) return;
    this.tunnels.delete(key);
    this.emit('disconnected', tunnel);
  }

  closeAll(): void {
    for (const tunnel of this.list()) tunnel.session.destroy();
  }
}

function keyOf(subaccountId: string, locationId: string): string {
  return `${subaccountId}\n${locationId}`;
}
