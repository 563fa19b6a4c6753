import type { buildConnector as BuildConnector } from 'undici';
import type { LookupFunction } from './outbound';
import { buildConnector } from './undici';

type Connector = BuildConnector.connector;

export interface LazyTlsOptions {
  readonly lookup?: LookupFunction;
  readonly timeout: number;
}

/**
 * undici's connector, with the TLS options (`tls()`: the machine's trust, a client identity) made when the first
 * https connection needs them, once. Reading the OS trust store and building a context cost a cold process ~30 ms
 * of CPU, which an http:// service (the sandbox's token and Destination services) never needs. A connection is
 * opened by undici as before: building the options first keeps Node's address fallback (happy eyeballs) under TLS.
 */
export function lazyTlsConnector(options: LazyTlsOptions, tls: () => object): Connector {
  const base = { ...(options.lookup ? { lookup: options.lookup } : {}), timeout: options.timeout };
  const plain = buildConnector(base);
  let secure: Connector | undefined;
  return (connectOptions, callback) => {
    if (connectOptions.protocol !== 'https:') return plain(connectOptions, callback);
    secure ??= buildConnector({ ...base, ...tls() });
    return secure(connectOptions, callback);
  };
}
