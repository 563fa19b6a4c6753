/**
 * A `VCAP_SERVICES` with one connectivity binding whose proxy is reached on this machine (through the tunnel,
 * or the sandbox), for apps that talk to the connectivity proxy themselves (SAP Cloud SDK with OnPremise
 * destinations, the approuter). It carries the binding's client secret: it is for a child process's
 * environment only, never for a file.
 */
import type { ConnectivityBinding } from '../bindings/types';

export interface LocalProxyEndpoints {
  readonly host: string;
  readonly httpPort: number;
  readonly socks5Port?: number;
}

export function connectivityVcapServices(binding: ConnectivityBinding, proxy: LocalProxyEndpoints): { connectivity: Record<string, unknown>[] } {
  const credentials: Record<string, unknown> = {
    ...binding.credentials,
    onpremise_proxy_host: proxy.host,
    // Both spellings, as the service emits them: clients still read the deprecated one (spec §4 of the key).
    onpremise_proxy_http_port: String(proxy.httpPort),
    onpremise_proxy_port: String(proxy.httpPort),
  };
  if (proxy.socks5Port === undefined) delete credentials.onpremise_socks5_proxy_port;
  else credentials.onpremise_socks5_proxy_port = String(proxy.socks5Port);
  return {
    connectivity: [
      { name: binding.meta?.name ?? 'connectivity', label: 'connectivity', plan: 'connectivity_proxy', tags: ['connectivity', 'conn', 'connsvc'], credentials },
    ],
  };
}
