import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCACertificate, getLocal, type Mockttp, type MockedEndpoint } from 'mockttp';
import { TEST_DOMAIN } from './basicAuthProxy';

export { startBasicAuthProxy, TEST_DOMAIN, type BasicAuthProxy, type ProxyLogEntry } from './basicAuthProxy';

/**
 * The two proxies of a corporate network, on 127.0.0.1:0, for the tests of issue 13's "Corporate networks":
 *
 * - `startBasicAuthProxy`: a forward proxy (TooTallNate's `proxy`, the package behind proxy-agent's tests) that
 *   wants Basic credentials and logs every CONNECT it was asked for.
 * - `startInspectingProxy`: a TLS-intercepting proxy (HTTP Toolkit's mockttp) that signs every https:// host with
 *   its own CA, as Zscaler or Blue Coat do.
 *
 * Targets are named under `.btp.test` (RFC 6761: never resolves), and only the proxies map them to the loopback
 * ports of the sandbox. A request that bypassed the proxy would fail with ENOTFOUND instead of passing unseen; and
 * the client never needs to exempt loopback from its own "loopback is never proxied" rule.
 */

export interface InspectingProxy {
  readonly port: number;
  readonly url: string;
  /** The proxy's own CA (PEM): what a company rolls out to its machines. */
  readonly caPem: string;
  /** The CA's subject common name, as error messages should name it. */
  readonly caName: string;
  /** Requests the proxy decrypted and passed on, to `host`. */
  seen(host: string): Promise<number>;
  close(): Promise<void>;
}

/** `hosts` as for `startBasicAuthProxy`; every host is served by the proxy over TLS and passed on over plain HTTP. */
export async function startInspectingProxy(options: { hosts: Readonly<Record<string, number>> }): Promise<InspectingProxy> {
  const caName = 'Corp TLS Inspection CA';
  const ca = await generateCACertificate({ subject: { commonName: caName, organizationName: 'Corp' } });
  const server: Mockttp = getLocal({ https: { key: ca.key, cert: ca.cert } });
  // mockttp listens on every interface and has no host option; the tests bind loopback only.
  (server as unknown as { listen: (listener: Server) => Promise<number> }).listen = async (listener) => {
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    return (listener.address() as AddressInfo).port;
  };
  await server.start();
  const replacements: [RegExp, string][] = Object.entries(options.hosts).map(([name, port]) => [
    new RegExp(`^${name}\\.${TEST_DOMAIN.replace('.', '\\.')}(:\\d+)?$`),
    `127.0.0.1:${port}`,
  ]);
  const endpoint: MockedEndpoint = await server
    .forAnyRequest()
    .thenPassThrough({ transformRequest: { matchReplaceHost: { replacements, updateHostHeader: false }, setProtocol: 'http' } });
  return {
    port: server.port,
    url: `http://127.0.0.1:${server.port}`,
    caPem: ca.cert,
    caName,
    seen: async (host) => (await endpoint.getSeenRequests()).filter((request) => new URL(request.url).hostname === host).length,
    close: () => server.stop(),
  };
}
