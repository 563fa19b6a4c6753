import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withTimeout } from '../../support/faultHarness';
import { silentLogger } from '../../../src/core/log';
import { Mailbox } from '../../../src/sandbox/mail/mailbox';
import { OnPremiseNetwork } from '../../../src/sandbox/onPremise/gate/network';
import { startOnPremiseSmtp } from '../../../src/sandbox/onPremise/smtpService';
import { ONPREM_MAIL_ACCOUNT } from '../../../src/sandbox/onPremise/accounts';
import { ByteClient, connectivityToken, socksOpen, socksReply } from '../../support/connectivityClient';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// The on-premise mail server behind smtp.virtual:25, spoken to as SMTP through SOCKS5 and the Cloud Connector: what it
// offers, what it demands before it takes mail, and that stopping it does not wait for open sessions.

/** One SMTP reply, multi-line replies (`250-…`) included. */
async function reply(client: ByteClient): Promise<string> {
  let text = '';
  for (;;) {
    const line = await client.line();
    text += line;
    if (/^\d{3} /.test(line)) return text;
  }
}

async function session(f: SandboxFixture, token: string): Promise<ByteClient> {
  const { client, reply: socks } = await socksOpen(f.sandbox.connectivity.socks5Port, token, 'smtp.virtual', 25);
  assert.deepEqual(socks, socksReply(0x00));
  assert.match(await reply(client), /^220 smtp\.virtual ESMTP /);
  return client;
}

describe('sandbox mail server through the Cloud Connector', () => {
  let f: SandboxFixture;
  let token: string;
  before(async () => {
    f = await startSandboxFixture();
    token = await connectivityToken(f);
  });
  after(async () => {
    await f?.close();
  });

  it('offers AUTH PLAIN LOGIN and no STARTTLS; wants AUTH before MAIL (530), refuses a wrong password (535), takes mail after the right one', async () => {
    const client = await session(f, token);
    client.write('EHLO app.example\r\n');
    const ehlo = await reply(client);
    assert.match(ehlo, /^250-AUTH PLAIN LOGIN\r$/m);
    assert.doesNotMatch(ehlo, /STARTTLS/);
    client.write('MAIL FROM:<app@example.com>\r\n');
    assert.match(await reply(client), /^530 /);
    const plain = (password: string) => Buffer.from(`\0${ONPREM_MAIL_ACCOUNT.user}\0${password}`).toString('base64');
    client.write(`AUTH PLAIN ${plain('wrong')}\r\n`);
    assert.match(await reply(client), /^535 5\.7\.8 /);
    client.write(`AUTH PLAIN ${plain(ONPREM_MAIL_ACCOUNT.password)}\r\n`);
    assert.match(await reply(client), /^235 /);
    client.write('MAIL FROM:<app@example.com>\r\n');
    assert.match(await reply(client), /^250 /);
    client.write('RCPT TO:<alice@example.com>\r\n');
    assert.match(await reply(client), /^250 /);
    client.write('DATA\r\n');
    assert.match(await reply(client), /^354 /);
    client.write('From: app@example.com\r\nTo: alice@example.com\r\nSubject: raw SMTP\r\n\r\n..leading dot\r\n.\r\n');
    const stored = await reply(client);
    assert.match(stored, /^250 2\.0\.0 Stored as \S+\.eml\r\n$/);
    client.write('QUIT\r\n');
    assert.match(await reply(client), /^221 /);

    const [mail] = await f.sandbox.mailbox.list();
    assert.equal(mail?.subject, 'raw SMTP');
    assert.equal(stored.includes(mail.file), true);
    assert.match(f.sandbox.mailbox.rawOf(mail.file)?.toString() ?? '', /\r\n\r\n\.leading dot\r\n$/);
  });

  it('close() ends an open SMTP session at once instead of waiting for it', async () => {
    const network = new OnPremiseNetwork();
    const mail = await startOnPremiseSmtp({ network, mailbox: new Mailbox(), account: ONPREM_MAIL_ACCOUNT, logger: silentLogger });
    // What the Cloud Connector does: connect and introduce itself with the network's proof.
    const client = await ByteClient.open(mail.port);
    client.write(network.introduce({ authority: 'smtp.virtual:25' }));
    assert.match(await reply(client), /^220 /);
    client.write('EHLO app.example\r\n');
    await reply(client);
    // smtp-server's own close leaves open sessions for up to its close timeout (30 s).
    await withTimeout(mail.close(), 20_000, 'close() did not return');
    await withTimeout(client.rest(), 20_000, 'the SMTP session stayed open after close()');
    assert.equal(client.closed, true);
  });
});
