import type { MailEntry } from '../../sandbox/mail/mailbox';

/** A QuickPick row for one received mail (no `vscode` import: the listing logic is unit-tested). */
export interface MailboxItem {
  readonly label: string;
  readonly description: string;
  readonly detail: string;
  readonly mail: MailEntry;
}

/** Subject as the label, sender as the description, when and to whom as the detail; newest first as listed. */
export function mailboxItems(mails: readonly MailEntry[], formatDate: (date: Date) => string = (date) => date.toLocaleString()): MailboxItem[] {
  return mails.map((mail) => ({
    label: mail.subject?.trim() || '(no subject)',
    description: mail.from ?? '',
    detail: `${formatDate(new Date(mail.receivedAt))}${mail.to ? ` → ${mail.to}` : ''} · ${mail.file}`,
    mail,
  }));
}
