import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:net';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../../core/log';
import { listenOnLoopback } from '../http/loopback';
import type { Mailbox } from '../mail/mailbox';
import { ConnectorGate, refusalText } from './gate/connectorGate';
import type { OnPremiseNetwork } from './gate/network';

export interface OnPremiseSmtpService {
  readonly port: number;
  readonly mailbox: Mailbox;
  close(): Promise<void>;
}

export interface SmtpAccount {
  readonly user: string;
  readonly password: string;
}

export interface SmtpServiceOptions {
  readonly network: OnPremiseNetwork;
  readonly mailbox: Mailbox;
  /** Who may send: the seeded `onprem-mail` destination's `mail.user` / `mail.password`. */
  readonly account: SmtpAccount;
  readonly logger: Logger;
}

/** Largest mail accepted (SIZE, RFC 1870); more is answered 552. */
const maxMessageBytes = 25 * 1024 * 1024;

/**
 * The corporate mail server behind `smtp.virtual:25`: a real SMTP server (`smtp-server`, the Nodemailer project's)
 * that takes mail only after AUTH (PLAIN or LOGIN) with the account of the seeded MAIL destination, and stores each
 * one in the sandbox's mailbox. Only the Cloud Connector gets in (`ConnectorGate`).
 *
 * No STARTTLS: Nodemailer, inside `@sap-cloud-sdk/mail-client`, upgrades whenever the server offers it and then
 * checks the certificate against Node's CAs, which do not include the sandbox CA, so offering it would break the
 * SDK's default call. The hop it would protect (Cloud Connector → mail server) stays on loopback here, and the
 * cloud part of the way is the connectivity tunnel; AUTH is therefore allowed in clear text.
 */
export async function startOnPremiseSmtp(options: SmtpServiceOptions): Promise<OnPremiseSmtpService> {
  const { mailbox, logger } = options;
  const smtp = new SMTPServer({
    name: 'smtp.virtual',
    banner: 'BTP Connect sandbox mail server',
    logger: false,
    disabledCommands: ['STARTTLS'],
    // The peer is always the Cloud Connector on loopback; a reverse lookup would only delay the greeting (up to 1.5 s
    // where no resolver answers).
    disableReverseLookup: true,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    size: maxMessageBytes,
    onAuth: (auth, _session, callback) => {
      if (accepts(auth, options.account)) callback(null, { user: auth.username });
      else
        callback(
          Object.assign(new Error('5.7.8 Authentication credentials invalid (user or password of the MAIL destination: mail.user, mail.password)'), {
            responseCode: 535,
          }),
        );
    },
    onData: (stream, session, callback) =>
      receive(stream, session, mailbox, logger).then(
        (text) => callback(null, text),
        (error: Error) => callback(error),
      ),
  });
  // Errors of single connections (a peer that vanished mid-command) end that connection only.
  smtp.on('error', (error: Error) => logger.debug(`smtp connection: ${error.message}`));
  const gate = new ConnectorGate({ network: options.network, refusal: Buffer.from(`554 5.7.1 ${refusalText}\r\n`) });
  const server = createServer((socket) =>
    gate.accept(socket, (admitted) => {
      // The PROXY header's cloud-side addresses mean nothing here: the session sees the connector's loopback peer.
      smtp.connect(admitted, {
        remoteAddress: admitted.remoteAddress,
        remotePort: admitted.remotePort,
        localAddress: admitted.localAddress,
        localPort: admitted.localPort,
      });
    }),
  );
  const listener = await listenOnLoopback(server, 0);
  const leave = options.network.register(listener.port);
  let closing: Promise<void> | undefined;
  return {
    port: listener.port,
    mailbox,
    close() {
      closing ??= (async () => {
        leave();
        gate.close();
        // The listener ends every session (smtp-server's own close would leave them open for up to 30 s).
        await listener.close();
        await new Promise<void>((resolve) => smtp.close(() => resolve()));
      })();
      return closing;
    },
  };
}

function accepts(auth: SMTPServerAuthentication, account: SmtpAccount): boolean {
  return auth.username === account.user && sameSecret(auth.password ?? '', account.password);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

async function receive(stream: SMTPServerDataStream, session: SMTPServerSession, mailbox: Mailbox, logger: Logger): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  if (stream.sizeExceeded)
    throw Object.assign(new Error(`5.3.4 Message exceeds the fixed maximum message size (${maxMessageBytes} bytes)`), { responseCode: 552 });
  const envelope = {
    ...(session.envelope.mailFrom ? { from: session.envelope.mailFrom.address } : {}),
    to: session.envelope.rcptTo.map((recipient) => recipient.address),
  };
  try {
    const entry = await mailbox.deliver(Buffer.concat(chunks), envelope);
    logger.info(`mail from ${envelope.from ?? '<>'} to ${envelope.to.join(', ')} stored as ${entry.file}`);
    return `2.0.0 Stored as ${entry.file}`;
  } catch (error) {
    logger.warn(`mail could not be stored: ${(error as Error).message}`);
    throw Object.assign(new Error('4.3.0 The sandbox could not store the mail; try again'), { responseCode: 451 });
  }
}
