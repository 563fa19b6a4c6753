import { listMailboxFolder, mailboxDirectory } from '../../sandbox/mail/mailbox';
import type { OptionValues } from '../command';
import { ExitCode } from '../exitCodes';
import { line, type CliIo } from '../io';
import { formatTable } from '../table';

export const mailboxUsage = `Usage: btp-connect sandbox mailbox [--dir <folder>] [--json]

List the mails the sandbox's on-premise mail server (smtp.virtual:25, destination onprem-mail) accepted, newest
first: each is a raw .eml file in the mailbox folder of the sandbox folder, to open in any mail program or editor.`;

/** `sandbox mailbox`: the mailbox folder of a sandbox folder, read directly (a running sandbox is not needed). */
export async function listMailbox(values: OptionValues, directory: string, io: CliIo): Promise<number> {
  const folder = mailboxDirectory(directory);
  const mails = await listMailboxFolder(folder);
  if (values.json) {
    line(io, JSON.stringify(mails, null, 2));
    return ExitCode.Ok;
  }
  line(io, `${folder} (${mails.length} mail${mails.length === 1 ? '' : 's'})`);
  if (mails.length === 0) {
    line(io, '  (empty: send mail with the onprem-mail destination, e.g. the SAP Cloud SDK mail client)');
    return ExitCode.Ok;
  }
  const rows = mails.map((mail) => [
    mail.receivedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    mail.from ?? '',
    mail.to ?? '',
    mail.subject ?? '(no subject)',
    mail.file,
  ]);
  line(io, formatTable(['RECEIVED', 'FROM', 'TO', 'SUBJECT', 'FILE'], rows));
  return ExitCode.Ok;
}
