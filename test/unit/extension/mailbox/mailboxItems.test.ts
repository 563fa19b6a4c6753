import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mailboxItems } from '../../../../src/extension/mailbox/mailboxItems';
import type { MailEntry } from '../../../../src/sandbox/mail/mailbox';

const mail = (file: string, extra: Partial<MailEntry> = {}): MailEntry => ({
  file,
  path: `/mb/${file}`,
  receivedAt: '2026-12-07T12:51:00.591Z',
  size: 100,
  ...extra,
});

describe('Open Sandbox Mailbox: the picker rows', () => {
  it('shows subject, sender, and when and to whom, in the listed order, each row keeping its mail', () => {
    const mails = [
      mail('b.eml', { subject: 'Quarterly report ✓', from: '"Ann" <ann@example.com>', to: 'bob@example.com' }),
      mail('a.eml', { subject: '  ', from: 'x@example.com' }),
      mail('c.eml'),
    ];
    const items = mailboxItems(mails, (date) => date.toISOString());
    assert.deepEqual(
      items.map(({ label, description, detail }) => ({ label, description, detail })),
      [
        { label: 'Quarterly report ✓', description: '"Ann" <ann@example.com>', detail: '2026-12-07T12:51:00.591Z → bob@example.com · b.eml' },
        { label: '(no subject)', description: 'x@example.com', detail: '2026-12-07T12:51:00.591Z · a.eml' },
        { label: '(no subject)', description: '', detail: '2026-12-07T12:51:00.591Z · c.eml' },
      ],
    );
    assert.deepEqual(
      items.map((item) => item.mail),
      mails,
    );
  });
});
