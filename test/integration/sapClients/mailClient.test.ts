// SAP's mail client, @sap-cloud-sdk/mail-client 3.23.0 (Nodemailer over SOCKS5 through the connectivity proxy), run
// unchanged against the sandbox's seeded `onprem-mail` destination: SOCKS5 → Cloud Connector (smtp.virtual:25) →
// the on-premise SMTP server → the sandbox mailbox folder. Each scenario runs in a fresh child process
// (mailClientClient.mjs): the SDK reads VCAP_SERVICES once.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeSandboxFiles } from '../../../src/sandbox/files';
import { listMailboxFolder, mailboxDirectory } from '../../../src/sandbox/mail/mailbox';
import { runResultChild } from '../../support/resultChild';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

const clientScript = join(import.meta.dirname, 'mailClientClient.mjs');

interface MailRun {
  readonly scenario: string;
  readonly ok: boolean;
  readonly responses?: { accepted: string[] | null; rejected: string[] | null; response: string | null; messageId: string | null }[];
  readonly messages?: string[];
}

describe('SAP Cloud SDK mail client 3.23.0 against the sandbox, unchanged', () => {
  let fixture: SandboxFixture;
  let directory: string;
  let env: Record<string, string>;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'btp-connect-mail-client-'));
    fixture = await startSandboxFixture({ directory });
    const files = await writeSandboxFiles(fixture.sandbox, directory);
    // A minimal, explicit environment: no proxies, no VCAP of the developer's shell.
    env = { PATH: process.env.PATH ?? '', VCAP_SERVICES: await readFile(files.vcapServices, 'utf8'), NODE_EXTRA_CA_CERTS: files.ca };
  });

  after(async () => {
    await fixture?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  const send = async (scenario: string, destinationName: string, mail: Record<string, unknown>) =>
    (
      await runResultChild<MailRun>('mail client', scenario, [clientScript], {
        env: { ...env, MAIL_PLAN: JSON.stringify({ scenario, destinationName, mail }) },
      })
    ).result;

  it('onprem-mail: the SDK mail client times out (no SMTP greeting) — now sendMail goes SOCKS5 → Cloud Connector → SMTP and the mail is in the mailbox', async () => {
    const subject = `Quarterly report ✓ ${Date.now()}`;
    const run = await send('deliver', 'onprem-mail', {
      to: 'alice@example.com, bob@example.com',
      cc: 'carol@example.com',
      subject,
      text: 'Numbers attached.\r\n.\r\nA line with a lone dot above.',
    });
    assert.ok(run.ok, JSON.stringify(run));
    const [answer] = run.responses ?? [];
    assert.match(answer?.response ?? '', /^250 /, JSON.stringify(run));
    assert.deepEqual(answer?.accepted, ['alice@example.com', 'bob@example.com', 'carol@example.com']);

    const mails = await listMailboxFolder(mailboxDirectory(directory));
    const mail = mails.find((entry) => entry.subject === subject);
    assert.ok(mail, `a mail with subject "${subject}" in ${JSON.stringify(mails)}`);
    // From is the destination's mail.from (the SDK's property); To/Cc as the SDK wrote them.
    assert.equal(mail.from, 'noreply@example.com');
    assert.equal(mail.to, 'alice@example.com, bob@example.com');
    assert.match(mail.file, /^\d{4}-\d{2}-\d{2}T\d{6}\.\d{3}Z-[0-9a-f]+\.eml$/);
    assert.equal(mail.path, join(mailboxDirectory(directory), mail.file));
    const raw = await readFile(mail.path, 'utf8');
    assert.match(raw, /^Return-Path: <noreply@example\.com>\r\nX-Original-To: alice@example\.com, bob@example\.com, carol@example\.com\r\n/);
    assert.match(raw, /\r\nCc: carol@example\.com\r\n/);
    assert.match(raw, new RegExp(`\\r\\nMessage-ID: ${(answer?.messageId ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\r\\n`, 'i'));
    // SMTP's dot-stuffing undone: the body is what the app sent.
    assert.match(raw, /\r\n\r\nNumbers attached\.\r\n\.\r\nA line with a lone dot above\.(\r\n)?$/);
    assert.equal((await fixture.sandbox.mailbox.list())[0]?.file, mails[0]?.file, 'the running sandbox lists the same folder');
  });

  it("onprem-mail with a wrong mail.password: the client gets the server's 535 and nothing reaches the mailbox", async () => {
    const seeded = fixture.sandbox.store.get({ tenantId: fixture.sandbox.identity.world.provider.id }, 'destinations', 'onprem-mail');
    assert.ok(seeded);
    const created = await fixture.api('/v1/subaccountDestinations', {
      method: 'POST',
      body: { ...(seeded.value as Record<string, string>), Name: 'onprem-mail-wrong-password', 'mail.password': 'not-the-password' },
    });
    assert.equal(created.status, 201, created.text);
    const before = (await listMailboxFolder(mailboxDirectory(directory))).length;

    const run = await send('wrong password', 'onprem-mail-wrong-password', { to: 'alice@example.com', subject: 'must not arrive', text: 'x' });
    assert.ok(run.ok, JSON.stringify(run));
    const [answer] = run.responses ?? [];
    assert.match(answer?.response ?? '', /^535 5\.7\.8 Authentication credentials invalid/, JSON.stringify(run));
    assert.equal((await listMailboxFolder(mailboxDirectory(directory))).length, before);
  });
});
