import type { Logger } from '../../core/log';
import { startOnPremiseHttp, type OnPremiseHttpService } from './httpService';
import { startOnPremiseLineService, type OnPremiseLineService } from './lineService';

export type { OnPremiseHttpService } from './httpService';
export type { OnPremiseLineService } from './lineService';

/** The sample systems of the emulated corporate network, each on an ephemeral loopback port. */
export interface OnPremiseSystems {
  readonly erp: OnPremiseHttpService;
  readonly lineService: OnPremiseLineService;
  close(): Promise<void>;
}

export async function startOnPremiseSystems(options: { logger: Logger; trustedCaPem?: string }): Promise<OnPremiseSystems> {
  const erp = await startOnPremiseHttp({ logger: options.logger.child('erp'), ...(options.trustedCaPem ? { trustedCaPem: options.trustedCaPem } : {}) });
  let lineService: OnPremiseLineService;
  try {
    lineService = await startOnPremiseLineService();
  } catch (error) {
    await erp.close();
    throw error;
  }
  return {
    erp,
    lineService,
    async close() {
      await Promise.all([erp.close(), lineService.close()]);
    },
  };
}
