import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindingsFromVcapServices } from '../../../../src/core/bindings/vcap';
import type { ConnectivityBinding } from '../../../../src/core/bindings/types';
import { connectivityVcapServices } from '../../../../src/core/localEnv/connectivityVcap';
import { readDefaultEnv } from '../../../../src/core/localEnv/defaultEnv';
import { connectivityKey, vcapEntry } from '../../../support/bindingFixtures';

describe('connectivityVcapServices', () => {
  const [binding] = bindingsFromVcapServices(
    { connectivity: [vcapEntry('connectivity', 'my-conn', connectivityKey())] },
    { source: 'test' },
  ) as ConnectivityBinding[];
  assert.ok(binding);

  it('points the proxy at the local endpoints, both port spellings as strings', () => {
    const vcap = connectivityVcapServices(binding, { host: '127.0.0.1', httpPort: 20003, socks5Port: 20004 });
    const credentials = vcap.connectivity[0]!.credentials as Record<string, unknown>;
    assert.equal(credentials.onpremise_proxy_host, '127.0.0.1');
    assert.equal(credentials.onpremise_proxy_http_port, '20003');
    assert.equal(credentials.onpremise_proxy_port, '20003');
    assert.equal(credentials.onpremise_socks5_proxy_port, '20004');
    assert.equal(credentials.clientid, binding.credentials.clientid);
    assert.deepEqual(vcap.connectivity[0]!.tags, ['connectivity', 'conn', 'connsvc']);
  });

  it('leaves out the SOCKS5 port when the local side has none', () => {
    const vcap = connectivityVcapServices(binding, { host: '127.0.0.1', httpPort: 20003 });
    assert.equal('onpremise_socks5_proxy_port' in (vcap.connectivity[0]!.credentials as object), false);
  });

  it('round-trips through our own VCAP parser', () => {
    const vcap = connectivityVcapServices(binding, { host: '127.0.0.1', httpPort: 20003, socks5Port: 20004 });
    const parsed = readDefaultEnv({ VCAP_SERVICES: vcap }, 'vcap').connectivityBinding;
    assert.equal(parsed?.meta?.name, 'my-conn');
    assert.equal(parsed.credentials.onpremise_proxy_host, '127.0.0.1');
  });
});
