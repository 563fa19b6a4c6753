import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startSandbox } from '../../../src/sandbox/sandbox';
import { listeningSocketsOfThisProcess, type Listening } from '../../support/listeningSockets';

// Every listener the sandbox opens, as the kernel sees them.

describe('sandbox listeners', () => {
  it('binds every listener it opens to 127.0.0.1 and closes all of them on close()', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
    const before = new Set((await listeningSocketsOfThisProcess()).map((item) => `${item.address}:${item.port}`));
    const sandbox = await startSandbox({ portBase: 0 });
    let opened: Listening[];
    try {
      opened = (await listeningSocketsOfThisProcess()).filter((item) => !before.has(`${item.address}:${item.port}`));
    } finally {
      await sandbox.close();
    }
    // Token ×3, destination, Internet API (plain and mTLS), proxy HTTP/SOCKS5/tunnel, on-premise ERP, line service and
    // mail server, and the LDAP directory's gate where slapd is installed (slapd itself listens on a Unix socket only).
    const ldapGate = sandbox.onPremise.directory.port;
    assert.equal(opened.length, ldapGate ? 13 : 12, JSON.stringify(opened));
    assert.deepEqual(
      opened.filter((item) => item.address !== '127.0.0.1'),
      [],
    );
    const ports = new Set(opened.map((item) => item.port));
    const expected = [
      sandbox.connectivity.httpPort,
      sandbox.connectivity.socks5Port,
      sandbox.connectivity.tunnelPort,
      sandbox.onPremise.erp.port,
      sandbox.onPremise.lineService.port,
      ...(ldapGate ? [ldapGate] : []),
      sandbox.onPremise.mail.port,
      Number(new URL(sandbox.endpoints.tokenServiceUrl).port),
      Number(new URL(sandbox.endpoints.destinationServiceUrl).port),
      Number(new URL(sandbox.endpoints.internetApiUrl).port),
      Number(new URL(sandbox.endpoints.mtlsApiUrl).port),
    ];
    for (const port of expected) assert.ok(ports.has(port), `port ${port} is among the listeners`);
    const left = (await listeningSocketsOfThisProcess()).filter((item) => !before.has(`${item.address}:${item.port}`));
    assert.deepEqual(left, []);
  });
});
