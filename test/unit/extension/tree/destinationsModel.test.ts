import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DestinationsModel, destinationId, levelId, type ConnectionNode, type LevelNode } from '../../../../src/extension/tree/destinationsModel';

const http = (name: string, extra: Record<string, string> = {}) => ({ Name: name, Type: 'HTTP', URL: `https://${name}.example.com`, ...extra });

function model() {
  const m = new DestinationsModel();
  m.setConnections([
    { name: 'sandbox', kind: 'sandbox', description: 'local sandbox' },
    { name: 'dev', kind: 'saved', description: 'destination.example' },
  ]);
  return m;
}

const level = (m: DestinationsModel, connection: string, which: 'subaccount' | 'instance'): LevelNode =>
  m.levelsOf(m.roots().find((root) => root.connection === connection) as ConnectionNode).find((node) => node.level === which) as LevelNode;

describe('DestinationsModel', () => {
  it('is connection → level → destination with stable ids and parents (what reveal needs)', () => {
    const m = model();
    assert.deepEqual(
      m.roots().map((root) => root.id),
      ['c/sandbox', 'c/dev'],
    );
    const subaccount = level(m, 'dev', 'subaccount');
    assert.equal(subaccount.id, levelId('dev', 'subaccount'));
    assert.equal(m.isLoaded(subaccount), false);
    m.setDestinations('dev', 'subaccount', [http('b'), http('a'), { Type: 'HTTP' }]);
    const children = m.childrenOf(subaccount);
    assert.deepEqual(
      children.map((node) => node.id),
      [destinationId('dev', 'subaccount', 'a'), destinationId('dev', 'subaccount', 'b')],
    );
    const first = children[0];
    assert.ok(first);
    assert.equal(m.parentOf(first)?.id, subaccount.id);
    assert.equal(m.parentOf(subaccount)?.id, 'c/dev');
    assert.equal(m.parentOf(m.roots()[0] as ConnectionNode), undefined);
  });

  it('filters on name, URL and description, case-insensitively, and says so when nothing matches', () => {
    const m = model();
    m.setDestinations('dev', 'subaccount', [
      http('orders-api'),
      http('billing', { Description: 'Invoices API' }),
      { Name: 'db', Type: 'TCP', Address: 'db.virtual:5432' },
    ]);
    const node = level(m, 'dev', 'subaccount');
    m.setFilter('API');
    assert.deepEqual(
      m.childrenOf(node).map((child) => (child.kind === 'destination' ? child.name : child.kind)),
      ['billing', 'orders-api'],
    );
    m.setFilter('5432');
    assert.deepEqual(
      m.childrenOf(node).map((child) => (child.kind === 'destination' ? child.name : child.kind)),
      ['db'],
    );
    m.setFilter('nothing-like-this');
    const [message] = m.childrenOf(node);
    assert.equal(message?.kind, 'message');
    assert.match(message?.kind === 'message' ? message.text : '', /No destination matches "nothing-like-this"/);
    m.setFilter('');
    assert.equal(m.childrenOf(node).length, 3);
  });

  it('shows a load error as an error message node, and invalidate makes a level load again', () => {
    const m = model();
    m.setError('dev', 'instance', 'Service unreachable: ...');
    const node = level(m, 'dev', 'instance');
    const [message] = m.childrenOf(node);
    assert.ok(message?.kind === 'message' && message.isError);
    assert.equal(m.parentOf(message)?.id, node.id);
    m.invalidate('dev');
    assert.equal(m.isLoaded(node), false);
  });

  it('finds a destination instance level first, as find-destination resolves it', () => {
    const m = model();
    m.setDestinations('dev', 'subaccount', [http('shared', { Level: 'subaccount' })]);
    m.setDestinations('dev', 'instance', [http('shared', { Level: 'instance' })]);
    assert.equal(m.findDestination('dev', 'shared')?.record.Level, 'instance');
    assert.equal(m.findDestination('sandbox', 'shared'), undefined);
  });

  it('drops the cached levels of a connection that went away', () => {
    const m = model();
    m.setDestinations('dev', 'subaccount', [http('a')]);
    m.setConnections([{ name: 'sandbox', kind: 'sandbox', description: '' }]);
    assert.equal(m.isLoaded({ kind: 'level', id: levelId('dev', 'subaccount'), connection: 'dev', level: 'subaccount' }), false);
  });

  it('keeps 2,000 destinations cheap: loading and filtering take well under a frame budget of work', () => {
    const m = model();
    const records = Array.from({ length: 2000 }, (_, index) => http(`destination-${String(index).padStart(4, '0')}`));
    m.setDestinations('dev', 'subaccount', records);
    const node = level(m, 'dev', 'subaccount');
    assert.equal(m.childrenOf(node).length, 2000);
    m.setFilter('destination-19');
    assert.equal(m.childrenOf(node).length, 100);
    assert.equal(m.findDestination('dev', 'destination-1999')?.name, 'destination-1999');
  });
});
