import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindingFromKubernetesSecret } from '../../../../src/core/bindings/kubernetesSecret';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';

// `kubectl get secret <name> -o json` of a Kyma / SAP BTP service operator binding.

const b64 = (text: string) => Buffer.from(text).toString('base64');
const credentials = {
  clientid: 'sb-dest!b1|destination-xsappname!b9',
  clientsecret: 'secret-value-1',
  url: 'https://provider.authentication.eu10.hana.ondemand.com',
  uri: 'https://destination-configuration.cfapps.eu10.hana.ondemand.com',
  uaadomain: 'authentication.eu10.hana.ondemand.com',
};

describe('bindingFromKubernetesSecret', () => {
  it('reads one key per credential, using .metadata for the formats', () => {
    const metadata = {
      credentialProperties: Object.keys(credentials).map((name) => ({ name, format: 'text' })),
      metaDataProperties: [{ name: 'instance_name', format: 'text' }],
    };
    const data = Object.fromEntries([
      ...Object.entries(credentials).map(([key, value]) => [key, b64(value)]),
      ['.metadata', b64(JSON.stringify(metadata))],
      ['instance_name', b64('my-destination')],
    ]);
    const binding = bindingFromKubernetesSecret({ kind: 'Secret', metadata: { name: 'dest-binding' }, data }, 'destination');
    assert.equal(binding.kind, 'destination');
    assert.equal(binding.clientId, credentials.clientid);
    assert.deepEqual(binding.meta?.instanceName, 'my-destination');
  });

  it('reads a secret that holds the credentials as one JSON key', () => {
    const binding = bindingFromKubernetesSecret({ metadata: { name: 'x' }, data: { credentials: b64(JSON.stringify(credentials)) } }, 'destination');
    assert.equal(binding.kind, 'destination');
  });

  it('names the secret and the field when something is wrong, never a value', () => {
    assert.throws(
      () => bindingFromKubernetesSecret({ metadata: { name: 'empty' } }, 'destination'),
      (error: unknown) => isBtpError(error, ErrorCode.BindingInvalid) && /"empty" has no "data"/.test(error.message),
    );
    const { uri: _uri, ...withoutUri } = credentials;
    const data = Object.fromEntries(Object.entries(withoutUri).map(([key, value]) => [key, b64(value)]));
    assert.throws(
      () => bindingFromKubernetesSecret({ metadata: { name: 'broken' }, data }, 'destination'),
      (error: unknown) => {
        assert.ok(isBtpError(error, ErrorCode.BindingInvalid));
        assert.match(error.message, /Kubernetes secret "broken"/);
        assert.match(error.message, /"uri"/);
        assert.doesNotMatch(error.message, /secret-value-1/);
        return true;
      },
    );
  });
});
