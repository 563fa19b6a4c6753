import type { Logger } from '../../core/log';
import { startOnPremiseHttp, type OnPremiseHttpService } from './httpService';
import { startOnPremiseLineService, type OnPremiseLineService } from './lineService';
import { OnPremiseNetwork } from './network';
import { startOnPremiseSmtp, type OnPremiseSmtpService } from './smtpService';
import { Mailbox } from '../mail/mailbox';
import { ONPREM_MAIL_ACCOUNT } from '../seed';

export type { OnPremiseHttpService } from './httpService';
export type { OnPremiseLineService } from './lineService';
export type { OnPremiseSmtpService } from './smtpService';
export { OnPremiseNetwork } from './network';

/**
 * The sample systems of the emulated corporate network, each on an ephemeral loopback port that takes connections
 * from the Cloud Connector alone: give `network` to the connectors that expose them.
 */
export interface OnPremiseSystems {
  readonly erp: OnPremiseHttpService;
  readonly lineService: OnPremiseLineService;
  /** The mail server behind smtp.virtual:25 and its mailbox. */
  readonly mail: OnPremiseSmtpService;
  readonly network: OnPremiseNetwork;
  close(): Promise<void>;
}

export interface OnPremiseOptions {
  readonly logger: Logger;
  readonly trustedCaPem?: string;
  /** The mailbox folder (`<sandbox folder>/mailbox`); without one, received mail is kept in memory. */
  readonly mailboxDirectory?: string;
}

export async function startOnPremiseSystems(options: OnPremiseOptions): Promise<OnPremiseSystems> {
  const network = new OnPremiseNetwork();
  const erp = await startOnPremiseHttp({ logger: options.logger.child('erp'), network, ...(options.trustedCaPem ? { trustedCaPem: options.trustedCaPem } : {}) });
  const started: { close(): Promise<void> }[] = [erp];
  try {
    const lineService = await startOnPremiseLineService({ network });
    started.push(lineService);
    const mail = await startOnPremiseSmtp({ network, mailbox: new Mailbox(options.mailboxDirectory), account: ONPREM_MAIL_ACCOUNT, logger: options.logger.child('mail') });
    return {
      erp,
      lineService,
      mail,
      network,
      async close() {
        await Promise.all([erp.close(), lineService.close(), mail.close()]);
      },
    };
  } catch (error) {
    await Promise.all(started.map((system) => system.close()));
    throw error;
  }
}
