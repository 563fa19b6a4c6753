import type { ConnectivityBinding } from '../bindings/types';
import { BtpError, ErrorCode } from '../errors';
import type { TunnelSupervisor } from '../tunnel/supervisor';
import type { TunnelMode, TunnelOptions } from '../tunnel/types';
import type { ProxyEndpoints } from './connectivityAccess';

/** The connectivity proxy's HTTP and SOCKS5 ports as targets of a tunnel, in this order. */
export function connectivityTunnelOptions(binding: ConnectivityBinding, mode: TunnelMode, extra: Omit<TunnelOptions, 'mode' | 'targets'> = {}): TunnelOptions {
  const targets = [{ host: binding.proxyHost, port: binding.httpPort }];
  if (binding.socks5Port !== undefined) targets.push({ host: binding.proxyHost, port: binding.socks5Port });
  return { ...extra, mode, targets };
}

/** The proxy endpoints as the tunnel's local ports; while the tunnel is down they say so at once. */
export function tunnelEndpoints(tunnel: TunnelSupervisor): ProxyEndpoints {
  const endpoint = (index: number, what: string) => {
    if (tunnel.state !== 'ready') {
      throw new BtpError(ErrorCode.TunnelDown, `The tunnel to the connectivity proxy is ${tunnel.state}; requests fail fast until it is back.`, {
        details: { state: tunnel.state },
      });
    }
    const found = tunnel.endpoints[index];
    if (!found) {
      throw new BtpError(ErrorCode.BindingInvalid, `The connectivity service key has no ${what} port to tunnel to.`, { field: 'onpremise_socks5_proxy_port' });
    }
    return found;
  };
  return { http: () => endpoint(0, 'HTTP proxy'), socks5: () => endpoint(1, 'SOCKS5') };
}
