import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CertificatesModel } from '../../../../src/extension/tree/certificatesModel';

const certificate = (Name: string) => ({ Name, Content: '' });

describe('CertificatesModel', () => {
  it('lists both levels, subaccount first, each sorted, with ids that keep level and name apart', () => {
    const m = new CertificatesModel();
    assert.equal(m.isLoaded('dev'), false);
    assert.equal(m.nodeOf('dev'), m.nodeOf('dev'), 'the same node object every time');
    m.set('dev', { subaccount: [certificate('z.pem'), certificate('a.p12')], instance: [certificate('a.p12')] });
    assert.deepEqual(
      m.childrenOf('dev').map((node) => node.id),
      ['k/dev/subaccount/a.p12', 'k/dev/subaccount/z.pem', 'k/dev/instance/a.p12'],
    );
    assert.equal(m.certificatesOf('dev').length, 3);
    assert.deepEqual(m.childrenOf('other'), []);
  });

  it('says when there are none, shows a load error, and forgets on invalidate', () => {
    const m = new CertificatesModel();
    m.set('dev', { subaccount: [], instance: [] });
    assert.deepEqual(
      m.childrenOf('dev').map((node) => [node.kind, 'isError' in node && node.isError]),
      [['certificatesMessage', false]],
    );
    m.setError('dev', 'Access denied: 403');
    const [error] = m.childrenOf('dev');
    assert.ok(error?.kind === 'certificatesMessage' && error.isError && error.text === 'Access denied: 403');
    assert.deepEqual(m.certificatesOf('dev'), []);
    m.set('prod', { subaccount: [certificate('x.pem')], instance: [] });
    m.invalidate('dev');
    assert.equal(m.isLoaded('dev'), false);
    assert.equal(m.isLoaded('prod'), true);
    m.invalidate();
    assert.equal(m.isLoaded('prod'), false);
  });
});
