import type { Logger } from '../../core/log';
import { startOnPremiseHttp, type OnPremiseHttpService } from './httpService';
import { startOnPremiseLineService, type OnPremiseLineService } from './lineService';
import { OnPremiseNetwork } from './network';

export type { OnPremiseHttpService } from './httpService';
export type { OnPremiseLineService } from './lineService';
export { OnPremiseNetwork } from './network';

/**
 * The sample systems of the emulated corporate network, each on an ephemeral loopback port that takes connections
 * from the Cloud Connector alone: give `network` to the connectors that expose them.
 */
export interface OnPremiseSystems {
  readonly erp: OnPremiseHttpService;
  readonly lineService: OnPremiseLineService;
  readonly network: OnPremiseNetwork;
  close(): Promise<void>;
}

export async function startOnPremiseSystems(options: { logger: Logger; trustedCaPem?: string }): Promise<OnPremiseSystems> {
  const network = new OnPremiseNetwork();
  const erp = await startOnPremiseHttp({ logger: options.logger.child('erp'), network, ...(options.trustedCaPem ? { trustedCaPem: options.trustedCaPem } : {}) });
  let lineService: OnPremiseLineService;
  try {
    lineService = await startOnPremiseLineService({ network });
  } catch (error) {
    await erp.close();
    throw error;
  }
  return {
    erp,
    lineService,
    network,
    async close() {
      await Promise.all([erp.close(), lineService.close()]);
    },
  };
}
