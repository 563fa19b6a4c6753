import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { refusalText } from '../../../src/sandbox/onPremise/gate/connectorGate';
import { defaultSlapdPath } from '../../../src/sandbox/onPremise/ldap';
import { encodeProxyHeader } from '../../../src/sandbox/onPremise/gate/proxyProtocol';
import { connectivityToken, proxyRequest, socksOpen, socksReply } from '../../support/connectivityClient';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { withTimeout } from '../../support/faultHarness';

// Finding of issue 12: the sandbox's on-premise ERP and line service answered anyone on their loopback ports, so
// `X-Emulated-User: alice`, a wrong Basic password or a DELETE reached them without the Cloud Connector and its
// access control, and a forged PROXY header made the line service believe in any user. On-premise systems now
// take only connections that prove they come from the sandbox's Cloud Connector.

let f: SandboxFixture;
let token: string;
const partners = '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner';

before(async () => {
  f = await startSandboxFixture();
  token = await connectivityToken(f);
});
after(async () => {
  await f.close();
});

/** Bytes to a port as they are, and everything that comes back until the peer closes (or how it closed). */
function exchange(port: number, bytes: Buffer | string): Promise<{ text: string; error?: string }> {
  return withTimeout(
    new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      let error: string | undefined;
      socket.on('connect', () => socket.write(bytes));
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('error', (failure: NodeJS.ErrnoException) => (error = failure.code));
      socket.on('close', () => resolve({ text, ...(error ? { error } : {}) }));
    }),
    5_000,
    `127.0.0.1:${port} neither answered nor closed`,
  );
}

function httpRequest(method: string, path: string, headers: Record<string, string>): string {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    'Host: erp.virtual:8000',
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Refused: no HTTP answer but a 403 that names the way in. */
function assertRefused(answer: { text: string; error?: string }, what: string): void {
  assert.match(answer.text, /^HTTP\/1\.1 403 /, `${what}: ${JSON.stringify(answer)}`);
  assert.match(answer.text, /only through the Cloud Connector/);
}

describe('on-premise only through the Cloud Connector', () => {
  it('on-premise only through the Cloud Connector — the ERP refuses a direct connection: X-Emulated-User alice, a wrong Basic password, a DELETE', async () => {
    const port = f.sandbox.onPremise.erp.port;
    const asAlice = await exchange(port, httpRequest('GET', '/whoami', { 'X-Emulated-User': 'alice' }));
    assert.doesNotMatch(asAlice.text, /"user":"alice"/, 'the ERP believed a client-sent X-Emulated-User');
    assertRefused(asAlice, 'X-Emulated-User: alice');
    assertRefused(
      await exchange(port, httpRequest('GET', partners, { Authorization: `Basic ${Buffer.from('ERPUSER:wrong-password').toString('base64')}` })),
      'a wrong Basic password',
    );
    assertRefused(await exchange(port, httpRequest('DELETE', `${partners}('1000001')`, {})), 'a DELETE');

    // The partner is still there, and through the Cloud Connector the same requests work (without the forged user).
    const read = await proxyRequest(f, `http://erp.virtual:8000${partners}('1000001')`, { token });
    assert.equal(read.status, 200, read.text);
    const whoami = await proxyRequest(f, 'http://erp.virtual:8000/whoami', { token, headers: { 'X-Emulated-User': 'alice' } });
    assert.equal(whoami.status, 200, whoami.text);
    assert.equal(whoami.json().user, null, 'the connector drops a client-sent X-Emulated-User');
  });

  it('on-premise only through the Cloud Connector — the line service refuses a direct connection, also one with a forged PROXY header naming alice', async () => {
    const port = f.sandbox.onPremise.lineService.port;
    const forged = await exchange(port, Buffer.concat([encodeProxyHeader({ user: 'alice', authority: 'db.virtual:5432' }), Buffer.from('WHOAMI\r\nQUIT\r\n')]));
    assert.doesNotMatch(forged.text, /alice/, 'the line service believed a forged PROXY header');
    assert.match(forged.text, /^ERR only through the Cloud Connector/, JSON.stringify(forged));
    const plain = await exchange(port, 'PING\r\nQUIT\r\n');
    assert.match(plain.text, /^ERR only through the Cloud Connector/, JSON.stringify(plain));

    // Through SOCKS5 and the Cloud Connector the line service answers.
    const { client, reply } = await socksOpen(f.sandbox.connectivity.socks5Port, token, 'db.virtual', 5432);
    assert.deepEqual(reply, socksReply(0x00));
    client.write('PING\r\n');
    assert.equal(await client.line(), 'PONG\r\n');
    client.close();
  });

  it(
    'on-premise only through the Cloud Connector — the LDAP directory refuses a direct bind, also one behind a forged PROXY header, before slapd sees it',
    { skip: !existsSync(defaultSlapdPath) && 'slapd is not installed (apt-get install slapd)' },
    async () => {
      const port = f.sandbox.onPremise.directory.port;
      for (const [what, bytes] of [
        ['a plain bind', simpleBind('cn=reader,dc=example,dc=com', 'ldap-password-1')],
        [
          'a bind behind a forged PROXY header',
          Buffer.concat([encodeProxyHeader({ user: 'alice', authority: 'ldap.virtual:389' }), simpleBind('cn=reader,dc=example,dc=com', 'ldap-password-1')]),
        ],
      ] as const) {
        const answer = await exchange(port, bytes);
        // An LDAP Notice of Disconnection (message ID 0, ExtendedResponse, unwillingToPerform) naming the way in.
        assert.equal(answer.text.slice(0, 1), '\x30', `${what}: ${JSON.stringify(answer)}`);
        assert.ok(answer.text.includes('\x02\x01\x00\x78') && answer.text.includes('\x0a\x01\x35'), `${what}: ${JSON.stringify(answer)}`);
        assert.ok(answer.text.includes(refusalText), `${what}: ${JSON.stringify(answer)}`);
        assert.ok(answer.text.includes('1.3.6.1.4.1.1466.20036'), `${what}: ${JSON.stringify(answer)}`);
      }
      // No refused connection started the directory: slapd never saw those bytes.
      assert.equal(f.sandbox.onPremise.directory.slapdPid, undefined);
    },
  );

  it('on-premise only through the Cloud Connector — the mail server refuses a direct connection (554, no greeting), also with a forged PROXY header, and stores nothing', async () => {
    const port = f.sandbox.onPremise.mail.port;
    const auth = Buffer.from('\0mailer\0mail-password-1').toString('base64');
    const session = `EHLO attacker\r\nAUTH PLAIN ${auth}\r\nMAIL FROM:<x@example.com>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: direct\r\n\r\nx\r\n.\r\nQUIT\r\n`;
    for (const [what, bytes] of [
      ['plain SMTP', Buffer.from(session)],
      ['a forged PROXY header', Buffer.concat([encodeProxyHeader({ authority: 'smtp.virtual:25' }), Buffer.from(session)])],
    ] as const) {
      const answer = await exchange(port, bytes);
      assert.match(answer.text, /^554 5\.7\.1 only through the Cloud Connector/, `${what}: ${JSON.stringify(answer)}`);
      assert.doesNotMatch(answer.text, /^220 |\r\n250 /m, `${what}: the mail server spoke SMTP`);
    }
    assert.deepEqual(await f.sandbox.mailbox.list(), []);

    // Through SOCKS5 and the Cloud Connector the mail server greets.
    const { client, reply } = await socksOpen(f.sandbox.connectivity.socks5Port, token, 'smtp.virtual', 25);
    assert.deepEqual(reply, socksReply(0x00));
    assert.match(await client.line(), /^220 smtp\.virtual ESMTP/);
    client.close();
  });
});

/** An LDAPv3 simple BindRequest, message ID 1 (RFC 4511 §4.2), short-form lengths: enough for short DNs. */
function simpleBind(dn: string, password: string): Buffer {
  const tlv = (type: number, value: Buffer) => Buffer.concat([Buffer.from([type, value.length]), value]);
  const bind = tlv(0x60, Buffer.concat([tlv(0x02, Buffer.from([3])), tlv(0x04, Buffer.from(dn)), tlv(0x80, Buffer.from(password))]));
  return tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([1])), bind]));
}
