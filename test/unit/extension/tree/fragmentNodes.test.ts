import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DestinationsModel } from '../../../../src/extension/tree/destinationsModel';
import type { FragmentNode } from '../../../../src/extension/tree/fragmentNodes';

// The Fragments node of a connection in the tree's pure model: both levels, sorted, stable ids, parents, messages.

function model(): DestinationsModel {
  const m = new DestinationsModel();
  m.setConnections([
    { name: 'sandbox', kind: 'sandbox', description: 'local sandbox' },
    { name: 'dev', kind: 'saved', description: 'destination.example' },
  ]);
  return m;
}

describe('FragmentsModel in the Destinations tree', () => {
  it('lists both levels sorted by name, then level, with stable ids and the Fragments node as parent', () => {
    const m = model();
    const node = m.fragments.nodeOf('sandbox');
    assert.equal(m.fragments.nodeOf('sandbox'), node, 'the same object every time');
    assert.equal(m.fragments.isLoaded(node), false);
    m.fragments.set('sandbox', {
      subaccount: [{ FragmentName: 'zeta' }, { FragmentName: 'alpha', URL: 'https://a.example' }, { URL: 'no name' }],
      instance: [{ FragmentName: 'alpha' }],
    });
    const children = m.fragments.childrenOf(node) as FragmentNode[];
    assert.deepEqual(
      children.map((child) => `${child.name}@${child.level}`),
      ['alpha@instance', 'alpha@subaccount', 'zeta@subaccount'],
    );
    assert.equal(new Set(children.map((child) => child.id)).size, 3, 'ids are unique across levels');
    for (const child of children) assert.equal(m.parentOf(child), node);
    assert.equal(
      m.parentOf(node),
      m.roots().find((root) => root.connection === 'sandbox'),
    );
    assert.deepEqual(m.fragments.fragmentsOf('dev'), [], 'another connection has none loaded');
  });

  it('says "No fragments" or the error, both children of the Fragments node', () => {
    const m = model();
    const node = m.fragments.nodeOf('dev');
    m.fragments.set('dev', { subaccount: [], instance: [] });
    const [empty] = m.fragments.childrenOf(node);
    assert.equal(empty?.kind === 'message' && !empty.isError ? empty.text : undefined, 'No fragments');
    assert.equal(empty && m.parentOf(empty), node);
    m.fragments.setError('dev', 'Forbidden: no access');
    const [error] = m.fragments.childrenOf(node);
    assert.equal(error?.kind === 'message' && error.isError ? error.text : undefined, 'Forbidden: no access');
    m.fragments.invalidate('dev');
    assert.equal(m.fragments.isLoaded(node), false);
  });

  it('forgets the fragments of a connection that is gone', () => {
    const m = model();
    m.fragments.set('dev', { subaccount: [{ FragmentName: 'f' }], instance: [] });
    m.setConnections([{ name: 'sandbox', kind: 'sandbox', description: 'local sandbox' }]);
    assert.equal(m.fragments.isLoaded(m.fragments.nodeOf('dev')), false);
  });
});
