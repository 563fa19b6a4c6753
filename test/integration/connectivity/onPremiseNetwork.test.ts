import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpsRequest } from 'node:https';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../src/core/log';
import { IntroducingHttpsAgent } from '../../../src/sandbox/cloudConnector/introducingAgents';
import { ConnectorGate } from '../../../src/sandbox/onPremise/gate/connectorGate';
import { startOnPremiseHttp, type OnPremiseHttpService } from '../../../src/sandbox/onPremise/httpService';
import { OnPremiseNetwork } from '../../../src/sandbox/onPremise/gate/network';
import { encodeProxyHeader, parseProxyHeader } from '../../../src/sandbox/onPremise/gate/proxyProtocol';
import { createCertificateAuthority, issueServerCertificate, type KeyPairPem } from '../../../src/sandbox/pki';

// The door of the sandbox's on-premise systems (`OnPremiseNetwork`, `ConnectorGate`): only connections that open
// with the connector's proof get in, with every byte after the header intact, over plain TCP and before TLS.

const network = new OnPremiseNetwork();
let ca: KeyPairPem;
let tlsErp: OnPremiseHttpService;

before(async () => {
  ca = createCertificateAuthority({ commonName: 'on-premise network test CA' });
  const certificate = issueServerCertificate(ca, { commonName: 'erp-internal', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  tlsErp = await startOnPremiseHttp({ logger: silentLogger, network, tls: { cert: certificate.certPem, key: certificate.keyPem } });
});
after(async () => {
  await tlsErp.close();
});

/** A line echo behind a gate: what an admitted connection reads, or the refusal. */
async function gatedEcho(): Promise<{ port: number; close(): Promise<void> }> {
  const gate = new ConnectorGate({ network, refusal: Buffer.from('REFUSED\n') });
  const server = createServer((socket) =>
    gate.accept(socket, (admitted) => {
      admitted.pipe(admitted);
      admitted.resume();
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      gate.close();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes `parts` one by one (each its own packet, as far as Node can tell) and reads until the peer closes. */
async function talk(port: number, parts: readonly Buffer[], endAfter = true): Promise<string> {
  const socket: Socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  for (const part of parts) await new Promise<void>((resolve) => socket.write(part, () => setImmediate(resolve)));
  if (endAfter) socket.end();
  await once(socket, 'close');
  return text;
}

describe('the on-premise network and its gate', () => {
  it('the proof is this network’s own: another sandbox start’s header, a user TLV alone or a cut proof do not pass', () => {
    const admits = (header: Buffer) => {
      const parsed = parseProxyHeader(header);
      return parsed.kind === 'header' && network.admits(parsed.info);
    };
    assert.equal(admits(network.introduce({ user: 'alice' })), true);
    assert.equal(admits(new OnPremiseNetwork().introduce()), false);
    assert.equal(admits(encodeProxyHeader({ user: 'alice', authority: 'db.virtual:5432' })), false);
    const cut = parseProxyHeader(network.introduce());
    assert.ok(cut.kind === 'header' && cut.info.proof);
    assert.equal(network.admits({ proof: cut.info.proof.subarray(1) }), false);
  });

  it('covers only the loopback ports of its registered systems', () => {
    const leave = network.register(4711);
    assert.equal(network.covers('127.0.0.1', 4711), true);
    assert.equal(network.covers('LOCALHOST', 4711), true);
    assert.equal(network.covers('10.0.0.1', 4711), false);
    assert.equal(network.covers('127.0.0.1', 4712), false);
    leave();
    assert.equal(network.covers('127.0.0.1', 4711), false);
  });

  it('admits a connection with the proof and keeps the bytes after the header, in one packet or byte by byte', async () => {
    const echo = await gatedEcho();
    try {
      const header = network.introduce();
      assert.equal(await talk(echo.port, [Buffer.concat([header, Buffer.from('hello\n')])]), 'hello\n');
      const bytes = [...Buffer.concat([header, Buffer.from('split\n')])].map((byte) => Buffer.from([byte]));
      assert.equal(await talk(echo.port, bytes), 'split\n');
    } finally {
      await echo.close();
    }
  });

  it('refuses a connection without the proof with its refusal text, and one with a forged header the same way', async () => {
    const echo = await gatedEcho();
    try {
      assert.equal(await talk(echo.port, [Buffer.from('hello\n')], false), 'REFUSED\n');
      assert.equal(await talk(echo.port, [encodeProxyHeader({ user: 'alice' }), Buffer.from('hello\n')], false), 'REFUSED\n');
    } finally {
      await echo.close();
    }
  });

  it('an HTTPS system: a direct TLS handshake is cut, the proof before the ClientHello (one write) gets the answer', async () => {
    const direct = connectTls({ host: '127.0.0.1', port: tlsErp.port, ca: ca.certPem });
    const [failure] = (await once(direct, 'error')) as [NodeJS.ErrnoException];
    assert.match(String(failure.code), /ECONNRESET|EPIPE/);
    const agent = new IntroducingHttpsAgent(network.introduce(), { ca: ca.certPem });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: tlsErp.port, path: '/whoami', agent }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 200);
    } finally {
      agent.destroy();
    }
  });
});
