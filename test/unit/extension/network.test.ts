import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { affectsNetwork, networkConfig } from '../../../src/extension/network';

// How the extension turns VS Code's http.* settings and btpConnect.http.caFile into the core's network config.

const read = (settings: Record<string, unknown>) => (key: string) => settings[key];

describe('networkConfig', () => {
  it("without settings: the environment's proxy and NO_PROXY, the OS store on (as http.systemCertificates defaults)", () => {
    const config = networkConfig(read({}), { HTTPS_PROXY: 'http://env:1', NO_PROXY: 'a.example' });
    assert.deepEqual(config.proxy, { httpsProxy: { value: 'http://env:1', name: 'HTTPS_PROXY' }, noProxy: 'a.example', strictSsl: true });
    assert.equal(config.systemCa, true);
    assert.deepEqual(config.caFiles, []);
  });

  it('http.proxy wins for both schemes; http.noProxy adds to NO_PROXY; proxyAuthorization, proxyStrictSSL, systemCertificates', () => {
    const config = networkConfig(
      read({
        'http.proxy': 'http://vs:2',
        'http.noProxy': ['b.example', 7],
        'http.proxyAuthorization': 'Basic eDp5',
        'http.proxyStrictSSL': false,
        'http.systemCertificates': false,
        'btpConnect.http.caFile': '~/corp.pem',
      }),
      { HTTPS_PROXY: 'http://env:1', NO_PROXY: 'a.example' },
    );
    assert.deepEqual(config.proxy?.httpsProxy, { value: 'http://vs:2', name: 'http.proxy' });
    assert.deepEqual(config.proxy?.httpProxy, { value: 'http://vs:2', name: 'http.proxy' });
    assert.equal(config.proxy?.noProxy, 'a.example,b.example');
    assert.deepEqual(config.proxy?.authorization, { value: 'Basic eDp5', name: 'http.proxyAuthorization' });
    assert.equal(config.proxy?.strictSsl, false);
    assert.equal(config.systemCa, false);
    assert.deepEqual(config.caFiles, [{ path: join(homedir(), 'corp.pem'), field: 'btpConnect.http.caFile', label: 'btpConnect.http.caFile' }]);
  });

  it('a change of any of these settings rebuilds the network; others do not', () => {
    assert.ok(affectsNetwork((section) => section === 'http.proxy'));
    assert.ok(affectsNetwork((section) => section === 'btpConnect.http.caFile'));
    assert.ok(!affectsNetwork((section) => section === 'btpConnect.tunnels'));
  });
});
