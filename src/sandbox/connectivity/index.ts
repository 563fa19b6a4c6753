import type { Logger } from '../../core/log';
import type { SigningKey } from '../base/jwt';
import type { World } from '../base/world';
import { createHttpProxyServer } from './httpProxy';
import { listenOnLoopback, type LoopbackListener } from '../http/loopback';
import { createSocks5Server } from './socks5';
import { TunnelRegistry } from './tunnelRegistry';
import { createTunnelServer } from './tunnelServer';

export { TunnelRegistry } from './tunnelRegistry';

export interface ConnectivityProxyOptions {
  readonly world: World;
  readonly key: SigningKey;
  readonly connectorSecret: string;
  /** 0 = ephemeral. */
  readonly ports: { readonly http: number; readonly socks5: number; readonly tunnel: number };
  readonly logger: Logger;
}

/** The emulated connectivity proxy: HTTP (spec §5.1) and SOCKS5 (§5.2) ports, and the port connectors dial. */
export interface ConnectivityProxy {
  readonly httpPort: number;
  readonly socks5Port: number;
  readonly tunnelPort: number;
  /** `http://127.0.0.1:<tunnel port>`: what a Cloud Connector is configured with. */
  readonly tunnelUrl: string;
  readonly tunnels: TunnelRegistry;
  close(): Promise<void>;
}

export async function startConnectivityProxy(options: ConnectivityProxyOptions): Promise<ConnectivityProxy> {
  const { world, key, logger } = options;
  const tunnels = new TunnelRegistry();
  const listeners: LoopbackListener[] = [];
  const close = async () => {
    tunnels.closeAll();
    await Promise.all(listeners.map((listener) => listener.close()));
  };
  try {
    const context = { world, key, tunnels };
    const tunnel = await listenOnLoopback(
      createTunnelServer({ world, connectorSecret: options.connectorSecret, registry: tunnels, logger: logger.child('tunnel') }),
      options.ports.tunnel,
    );
    listeners.push(tunnel);
    const http = await listenOnLoopback(createHttpProxyServer({ ...context, logger: logger.child('http') }), options.ports.http);
    listeners.push(http);
    const socks5 = await listenOnLoopback(createSocks5Server({ ...context, logger: logger.child('socks5') }), options.ports.socks5);
    listeners.push(socks5);
    return { httpPort: http.port, socks5Port: socks5.port, tunnelPort: tunnel.port, tunnelUrl: `http://127.0.0.1:${tunnel.port}`, tunnels, close };
  } catch (error) {
    await close();
    throw error;
  }
}
