import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from './outbound';

/**
 * `localhost` and every `*.localhost` name resolve to loopback (RFC 6761 §6.3), as browsers resolve them; the
 * system resolver often does not know `<subdomain>.localhost`, which the sandbox's per-tenant token URLs use.
 * Every other name goes to the system resolver.
 */
export const localhostLookup: LookupFunction = (hostname, options, callback) => {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if ((options as { all?: boolean }).all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  dnsLookup(hostname, options as LookupAllOptions, callback as unknown as (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void);
};
