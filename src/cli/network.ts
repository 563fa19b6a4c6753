import { resolve } from 'node:path';
import { loadNetwork } from '../core/http/network';
import type { OutboundNetwork } from '../core/http/outbound';
import { proxySettingsFromEnv } from '../core/http/proxySettings';
import type { CliIo } from './io';

/** The options every networked command takes about proxies and trust. */
export interface NetworkArgs {
  readonly ca?: string;
  readonly 'no-system-ca'?: boolean;
}

/**
 * The CLI's network: HTTPS_PROXY / HTTP_PROXY / NO_PROXY of its environment, and trust = Node's CAs +
 * NODE_EXTRA_CA_CERTS + the OS store (unless --no-system-ca) + --ca. The OS store is on by default because that
 * is where corporate TLS-inspection roots are installed, and the extension (VS Code's http.systemCertificates,
 * on by default) trusts it too: a connection that works in VS Code must work in the terminal.
 */
export function cliNetwork(args: NetworkArgs, io: CliIo): Promise<OutboundNetwork> {
  return loadNetwork({
    proxy: proxySettingsFromEnv(io.env),
    caFiles: args.ca ? [{ path: resolve(io.cwd, args.ca), field: 'ca', label: '--ca' }] : [],
    systemCa: args['no-system-ca'] !== true,
    env: io.env,
  });
}
