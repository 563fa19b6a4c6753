import type { Logger } from '../../core/log';
import { startOnPremiseHttp, type OnPremiseHttpService } from './httpService';
import { startOnPremiseDirectory, type OnPremiseDirectory } from './ldap';
import { startOnPremiseLineService, type OnPremiseLineService } from './lineService';
import { OnPremiseNetwork } from './network';

export type { OnPremiseHttpService } from './httpService';
export type { OnPremiseDirectory } from './ldap';
export type { OnPremiseLineService } from './lineService';
export { OnPremiseNetwork } from './network';

/**
 * The sample systems of the emulated corporate network, each on an ephemeral loopback port that takes connections
 * from the Cloud Connector alone: give `network` to the connectors that expose them.
 */
export interface OnPremiseSystems {
  readonly erp: OnPremiseHttpService;
  readonly lineService: OnPremiseLineService;
  /** OpenLDAP's slapd behind a gate, started at the first connection; port 0 where slapd is not installed. */
  readonly directory: OnPremiseDirectory;
  readonly network: OnPremiseNetwork;
  close(): Promise<void>;
}

export interface OnPremiseSystemsOptions {
  readonly logger: Logger;
  readonly trustedCaPem?: string;
  /** The LDAP directory's slapd (default /usr/sbin/slapd) and the sandbox folder it runs in (see `ldap/`). */
  readonly ldap?: { readonly slapdPath?: string; readonly sandboxFolder?: string };
}

export async function startOnPremiseSystems(options: OnPremiseSystemsOptions): Promise<OnPremiseSystems> {
  const network = new OnPremiseNetwork();
  const erp = await startOnPremiseHttp({ logger: options.logger.child('erp'), network, ...(options.trustedCaPem ? { trustedCaPem: options.trustedCaPem } : {}) });
  let lineService: OnPremiseLineService | undefined;
  let directory: OnPremiseDirectory;
  try {
    lineService = await startOnPremiseLineService({ network });
    directory = await startOnPremiseDirectory({ network, logger: options.logger.child('ldap'), ...options.ldap });
  } catch (error) {
    await Promise.all([erp.close(), lineService?.close()]);
    throw error;
  }
  return {
    erp,
    lineService,
    directory,
    network,
    async close() {
      await Promise.all([erp.close(), lineService.close(), directory.close()]);
    },
  };
}
