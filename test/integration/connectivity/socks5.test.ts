import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CloudConnector } from '../../../src/sandbox/cloudConnector/connector';
import { SUBSCRIBER_TENANT_ID } from '../../../src/sandbox/base/world';
import { ByteClient, connectivityToken, connectivityUserToken, socksAuth, socksConnectDomain, socksOpen, socksReply } from '../../support/connectivityClient';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// Spec §8 check 24: the SOCKS5 port with SAP's method 0x80, byte for byte, over raw loopback sockets.

let f: SandboxFixture;
let token: string;
let port: number;
let downConnector: CloudConnector;
before(async () => {
  f = await startSandboxFixture();
  token = await connectivityToken(f);
  port = f.sandbox.connectivity.socks5Port;
  // A connector whose only TCP system points at a port nobody listens on: the backend-down case.
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const deadPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  downConnector = new CloudConnector({
    tunnelUrl: f.sandbox.endpoints.connectorTunnelUrl,
    secret: f.sandbox.identity.connectorSecret,
    subaccountId: f.sandbox.identity.world.provider.id,
    locationId: 'down',
    mappings: [{ virtualHost: 'down.virtual', virtualPort: 7, localHost: '127.0.0.1', localPort: deadPort, protocol: 'TCP' }],
  });
  await downConnector.connect();
});
after(async () => {
  await downConnector.close();
  await f.close();
});

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('check 24: SOCKS5 with method 0x80', () => {
  it('greeting 05 02 00 80 → 05 80; a greeting without 0x80 → 05 FF and close', async () => {
    const offered = await ByteClient.open(port);
    offered.write(hex('05 02 00 80'));
    assert.deepEqual(await offered.read(2), hex('05 80'));
    offered.close();
    const plain = await ByteClient.open(port);
    plain.write(hex('05 01 00'));
    assert.deepEqual(await plain.read(2), hex('05 ff'));
    assert.deepEqual(await plain.rest(), Buffer.alloc(0));
    assert.equal(plain.closed, true);
  });

  it('auth 01 | len32be | JWT | L | base64(location): valid → 01 00; invalid → 01 01 and close', async () => {
    const valid = await ByteClient.open(port);
    valid.write(hex('05 01 80'));
    await valid.read(2);
    const auth = socksAuth(token, 'loc2');
    assert.equal(auth.readUInt32BE(1), token.length);
    assert.equal(auth.subarray(5 + token.length).toString('latin1'), '\x08bG9jMg==');
    valid.write(auth);
    assert.deepEqual(await valid.read(2), hex('01 00'));
    valid.close();

    const invalid = await ByteClient.open(port);
    invalid.write(hex('05 01 80'));
    await invalid.read(2);
    invalid.write(socksAuth(`${token.slice(0, -4)}AAAA`));
    assert.deepEqual(await invalid.read(2), hex('01 01'));
    assert.deepEqual(await invalid.rest(), Buffer.alloc(0));
  });

  it('CONNECT db.virtual:5432 (domain) → 05 00 00 01 0…0, then bytes are relayed both ways', async () => {
    const { client, reply } = await socksOpen(port, token, 'db.virtual', 5432);
    assert.deepEqual(reply, hex('05 00 00 01 00 00 00 00 00 00'));
    client.write('PING\r\n');
    assert.equal(await client.line(), 'PONG\r\n');
    client.write('ECHO grüße über SOCKS\n');
    assert.equal(await client.line(), 'grüße über SOCKS\r\n');
    client.write('WHOAMI\n');
    assert.equal(await client.line(), 'anonymous\r\n');
    client.write('QUIT\r\n');
    assert.equal(await client.line(), 'BYE\r\n');
    assert.deepEqual(await client.rest(), Buffer.alloc(0));
  });

  it('CONNECT db.virtual:5432 and smtp.virtual:25 reach their TCP mappings; half-close still delivers the answer', async () => {
    const db = await socksOpen(port, token, 'db.virtual', 5432);
    assert.deepEqual(db.reply, socksReply(0x00));
    db.client.socket.end('PING\n');
    assert.equal((await db.client.rest()).toString(), 'PONG\r\n');
    // The mail server greets first (what the SDK mail client waits for; SMTP clients speak only after it), and
    // answers QUIT after the half-close.
    const smtp = await socksOpen(port, token, 'smtp.virtual', 25);
    assert.deepEqual(smtp.reply, socksReply(0x00));
    assert.match(await smtp.client.line(), /^220 smtp\.virtual ESMTP /);
    smtp.client.socket.end('QUIT\r\n');
    assert.match((await smtp.client.rest()).toString(), /^221 /);
  });

  it('relays many lines in both directions without losing or reordering any', async () => {
    const { client } = await socksOpen(port, token, 'db.virtual', 5432);
    const count = 5000;
    client.write(Array.from({ length: count }, (_, index) => `ECHO line-${index}\n`).join(''));
    for (let index = 0; index < count; index++) assert.equal(await client.line(), `line-${index}\r\n`);
    client.close();
  });

  it('propagates the user of a jwt-bearer connectivity token on the X509 TCP mapping (db) and not on a NONE one', async () => {
    const userToken = await connectivityUserToken(f, await f.userToken('alice'));
    const db = await socksOpen(port, userToken, 'db.virtual', 5432);
    db.client.write('WHOAMI\n');
    assert.equal(await db.client.line(), 'alice\r\n');
    db.client.close();
    // The same line service behind a mapping without principal propagation.
    const connector = f.sandbox.connectors[0] as CloudConnector;
    const mappings = connector.mappings;
    connector.setMappings([
      ...mappings,
      {
        virtualHost: 'plain.virtual',
        virtualPort: 5433,
        localHost: '127.0.0.1',
        localPort: f.sandbox.onPremise.lineService.port,
        protocol: 'TCP',
        authenticationMode: 'NONE',
      },
    ]);
    try {
      const plain = await socksOpen(port, userToken, 'plain.virtual', 5433);
      plain.client.write('WHOAMI\n');
      assert.equal(await plain.client.line(), 'anonymous\r\n');
      plain.client.close();
    } finally {
      connector.setMappings(mappings);
    }
  });

  it('REP 0x02 for an unmapped host, an IPv4 target without mapping, an HTTP mapping, and a TCP host loc2 does not map', async () => {
    assert.deepEqual((await socksOpen(port, token, 'nowhere.virtual', 5432)).reply, socksReply(0x02));
    assert.deepEqual((await socksOpen(port, token, 'erp.virtual', 8000)).reply, socksReply(0x02));
    assert.deepEqual((await socksOpen(port, token, 'db.virtual', 5432, 'loc2')).reply, socksReply(0x02));
    const ipv4 = await ByteClient.open(port);
    ipv4.write(hex('05 01 80'));
    await ipv4.read(2);
    ipv4.write(socksAuth(token));
    await ipv4.read(2);
    ipv4.write(hex('05 01 00 01 0a 00 00 01 15 38'));
    assert.deepEqual(await ipv4.read(10), socksReply(0x02));
  });

  it('REP 0x03 for an unknown location ID and for a subaccount without Cloud Connector', async () => {
    assert.deepEqual((await socksOpen(port, token, 'db.virtual', 5432, 'loc9')).reply, socksReply(0x03));
    const subscriber = await connectivityToken(f, SUBSCRIBER_TENANT_ID);
    assert.deepEqual((await socksOpen(port, subscriber, 'db.virtual', 5432)).reply, socksReply(0x03));
  });

  it('REP 0x04 when the Cloud Connector cannot reach the backend', async () => {
    const { client, reply } = await socksOpen(port, token, 'down.virtual', 7, 'down');
    assert.deepEqual(reply, socksReply(0x04));
    assert.deepEqual(await client.rest(), Buffer.alloc(0));
  });

  it('REP 0x05 for a genuine sandbox token that is not a connectivity token', async () => {
    const { reply } = await socksOpen(port, await f.serviceToken(), 'db.virtual', 5432);
    assert.deepEqual(reply, socksReply(0x05));
  });

  it('REP 0x07 for BIND and UDP ASSOCIATE, REP 0x08 for IPv6', async () => {
    for (const command of [0x02, 0x03]) {
      const client = await ByteClient.open(port);
      client.write(Buffer.concat([hex('05 01 80'), socksAuth(token), socksConnectDomain('db.virtual', 5432, command)]));
      assert.deepEqual(await client.read(4), hex('05 80 01 00'));
      assert.deepEqual(await client.read(10), socksReply(0x07));
    }
    const ipv6 = await ByteClient.open(port);
    ipv6.write(Buffer.concat([hex('05 01 80'), socksAuth(token), hex('05 01 00 04'), Buffer.alloc(16), hex('15 38')]));
    assert.deepEqual(await ipv6.read(4), hex('05 80 01 00'));
    assert.deepEqual(await ipv6.read(10), socksReply(0x08));
  });

  it('closes on malformed input without an answer: SOCKS4 greeting, zero or oversized JWT length', async () => {
    for (const bytes of [hex('04 01 00 50 7f 00 00 01 00'), hex('05 01 80 01 00 00 00 00'), hex('05 01 80 01 00 01 00 01')]) {
      const client = await ByteClient.open(port);
      client.write(bytes);
      const answer = await client.rest();
      assert.ok(answer.equals(Buffer.alloc(0)) || answer.equals(hex('05 80')), answer.toString('hex'));
      assert.equal(client.closed, true);
    }
  });
});
