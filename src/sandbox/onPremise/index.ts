import type { Logger } from '../../core/log';
import { startOnPremiseHttp, type OnPremiseHttpService } from './httpService';
import { startOnPremiseDirectory, type OnPremiseDirectory } from './ldap';
import { startOnPremiseLineService, type OnPremiseLineService } from './lineService';
import { OnPremiseNetwork } from './gate/network';
import { startOnPremiseSmtp, type OnPremiseSmtpService } from './smtpService';
import { Mailbox } from '../mail/mailbox';
import { ONPREM_MAIL_ACCOUNT } from './accounts';

export type { OnPremiseHttpService } from './httpService';
export type { OnPremiseDirectory } from './ldap';
export type { OnPremiseLineService } from './lineService';
export type { OnPremiseSmtpService } from './smtpService';
export { OnPremiseNetwork } from './gate/network';

/**
 * The sample systems of the emulated corporate network, each on an ephemeral loopback port that takes connections
 * from the Cloud Connector alone: give `network` to the connectors that expose them.
 */
export interface OnPremiseSystems {
  readonly erp: OnPremiseHttpService;
  readonly lineService: OnPremiseLineService;
  /** OpenLDAP's slapd behind a gate, started at the first connection; port 0 where slapd is not installed. */
  readonly directory: OnPremiseDirectory;
  /** The mail server behind smtp.virtual:25 and its mailbox. */
  readonly mail: OnPremiseSmtpService;
  readonly network: OnPremiseNetwork;
  close(): Promise<void>;
}

export interface OnPremiseSystemsOptions {
  readonly logger: Logger;
  readonly trustedCaPem?: string;
  /** The LDAP directory's slapd (default /usr/sbin/slapd) and the sandbox folder it runs in (see `ldap/`). */
  readonly ldap?: { readonly slapdPath?: string; readonly sandboxFolder?: string };
  /** The mailbox folder (`<sandbox folder>/mailbox`); without one, received mail is kept in memory. */
  readonly mailboxDirectory?: string;
}

export async function startOnPremiseSystems(options: OnPremiseSystemsOptions): Promise<OnPremiseSystems> {
  const network = new OnPremiseNetwork();
  const erp = await startOnPremiseHttp({
    logger: options.logger.child('erp'),
    network,
    ...(options.trustedCaPem ? { trustedCaPem: options.trustedCaPem } : {}),
  });
  const started: { close(): Promise<void> }[] = [erp];
  try {
    const lineService = await startOnPremiseLineService({ network });
    started.push(lineService);
    const directory = await startOnPremiseDirectory({ network, logger: options.logger.child('ldap'), ...options.ldap });
    started.push(directory);
    const mail = await startOnPremiseSmtp({
      network,
      mailbox: new Mailbox(options.mailboxDirectory),
      account: ONPREM_MAIL_ACCOUNT,
      logger: options.logger.child('mail'),
    });
    return {
      erp,
      lineService,
      directory,
      mail,
      network,
      async close() {
        await Promise.all([erp.close(), lineService.close(), directory.close(), mail.close()]);
      },
    };
  } catch (error) {
    await Promise.all(started.map((system) => system.close()));
    throw error;
  }
}
