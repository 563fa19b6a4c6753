import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { certificateReferences, deleteUnusedCertificate, referencesIn, type CertificateClient } from '../../../../src/core/certificates/references';
import type { DestinationLevel, DestinationRecord } from '../../../../src/core/destinationService/types';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';

/** A Destination service of two levels in memory; records what was deleted. */
function fakeClient(levels: Record<DestinationLevel, { destinations?: DestinationRecord[]; fragments?: DestinationRecord[]; certificates?: string[] }>) {
  const deleted: string[] = [];
  const client: CertificateClient = {
    list: async (level) => levels[level].destinations ?? [],
    listFragments: async (level) => levels[level].fragments ?? [],
    listCertificates: async (level) => (levels[level].certificates ?? []).map((Name) => ({ Name, Content: '' })),
    deleteCertificate: async (level, name) => {
      deleted.push(`${level}/${name}`);
    },
  };
  return { client, deleted };
}

describe('certificate references', () => {
  it('finds KeyStoreLocation, TrustStoreLocation and prefixed forms in any case, by exact name only', () => {
    const records: DestinationRecord[] = [
      { Name: 'a', KeyStoreLocation: 'client.p12' },
      { Name: 'b', TrustStoreLocation: ' client.p12 ' },
      { Name: 'c', 'tokenService.KeyStoreLocation': 'client.p12' },
      { Name: 'd', 'tokenservice.truststorelocation': 'client.p12' },
      { Name: 'e', KeyStoreLocation: 'client.p12.old', Description: 'client.p12', URL: 'https://client.p12' },
      { Name: 'f', KeyStorePassword: 'client.p12' },
    ];
    assert.deepEqual(
      referencesIn('client.p12', records, 'destination', 'subaccount').map((reference) => `${reference.name}:${reference.property}`),
      ['a:KeyStoreLocation', 'b:TrustStoreLocation', 'c:tokenService.KeyStoreLocation', 'd:tokenservice.truststorelocation'],
    );
    assert.deepEqual(referencesIn('Client.p12', records, 'destination', 'subaccount'), []);
  });

  it('names fragments by FragmentName', () => {
    const references = referencesIn('ts.pem', [{ FragmentName: 'trust', TrustStoreLocation: 'ts.pem' }], 'fragment', 'instance');
    assert.deepEqual(references, [{ kind: 'fragment', name: 'trust', property: 'TrustStoreLocation', level: 'instance' }]);
  });

  it('a subaccount certificate counts instance references too, unless the instance has its own of that name', async () => {
    const levels = {
      subaccount: { destinations: [{ Name: 'sub', KeyStoreLocation: 'other.p12' }] },
      instance: { destinations: [{ Name: 'inst', TrustStoreLocation: 'ts.pem' }] },
    };
    const open = fakeClient(levels);
    assert.deepEqual(
      (await certificateReferences(open.client, 'subaccount', 'ts.pem')).map((reference) => `${reference.level}/${reference.name}`),
      ['instance/inst'],
    );
    const shadowed = fakeClient({ ...levels, instance: { ...levels.instance, certificates: ['ts.pem'] } });
    assert.deepEqual(await certificateReferences(shadowed.client, 'subaccount', 'ts.pem'), []);
    // An instance certificate is never looked up from the subaccount: subaccount destinations do not count.
    const instance = fakeClient({ subaccount: { destinations: [{ Name: 'sub', TrustStoreLocation: 'ts.pem' }] }, instance: {} });
    assert.deepEqual(await certificateReferences(instance.client, 'instance', 'ts.pem'), []);
  });

  it('refuses to delete a referenced certificate with the names, and deletes an unreferenced one', async () => {
    const { client, deleted } = fakeClient({
      subaccount: {
        destinations: [
          { Name: 'mtls', KeyStoreLocation: 'client.p12' },
          { Name: 'token', 'tokenService.KeyStoreLocation': 'client.p12' },
        ],
        fragments: [{ FragmentName: 'frag', KeyStoreLocation: 'client.p12' }],
        certificates: ['client.p12', 'spare.pem'],
      },
      instance: {},
    });
    const error = await deleteUnusedCertificate(client, 'subaccount', 'client.p12').then(
      () => assert.fail('deleted a certificate in use'),
      (caught: unknown) => caught,
    );
    assert.ok(isBtpError(error, ErrorCode.CertificateInUse), String(error));
    assert.match(error.message, /destination "mtls" \(KeyStoreLocation\), destination "token" \(tokenService\.KeyStoreLocation\), fragment "frag"/);
    assert.equal((error.details?.references as unknown[]).length, 3);
    assert.deepEqual(deleted, []);
    await deleteUnusedCertificate(client, 'subaccount', 'spare.pem');
    assert.deepEqual(deleted, ['subaccount/spare.pem']);
  });
});
