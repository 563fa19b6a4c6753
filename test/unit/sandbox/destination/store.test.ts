import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DestinationStore, etagMatches } from '../../../../src/sandbox/destination/store';
import type { Collection, OperationResult, Scope, StoreOperation } from '../../../../src/sandbox/destination/store';

const subaccount: Scope = { tenantId: 'tenant-a' };
const instance: Scope = { tenantId: 'tenant-a', instanceId: 'instance-1' };
const otherTenant: Scope = { tenantId: 'tenant-b' };

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'btp-store-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCounter = 0;
const newPath = () => join(dir, `store-${++fileCounter}.json`);

function create(scope: Scope, name: string, value: Record<string, string> = { Name: name }, collection: Collection = 'destinations'): StoreOperation {
  return { kind: 'create', scope, collection, name, value };
}
function update(scope: Scope, name: string, value: Record<string, string>, ifMatch?: string): StoreOperation {
  return { kind: 'update', scope, collection: 'destinations', name, value, ...(ifMatch === undefined ? {} : { ifMatch }) };
}
function remove(scope: Scope, name: string, ifMatch?: string): StoreOperation {
  return { kind: 'delete', scope, collection: 'destinations', name, ...(ifMatch === undefined ? {} : { ifMatch }) };
}

async function one(store: DestinationStore, operation: StoreOperation): Promise<OperationResult> {
  const [result] = await store.apply([operation]);
  assert.ok(result);
  return result;
}

const names = (store: DestinationStore, scope: Scope, collection: Collection = 'destinations') => store.list(scope, collection).map(([name]) => name);
const quotedEtag = /^"[^"]+"$/;

for (const backing of ['in-memory', 'file-backed'] as const) {
  describe(`DestinationStore (${backing})`, () => {
    const open = () => DestinationStore.open(backing === 'file-backed' ? newPath() : undefined);

    it('starts empty and reports created / exists for a second create', async () => {
      const store = await open();
      assert.equal(store.isEmpty, true);
      const created = await one(store, create(subaccount, 'dest', { Name: 'dest', URL: 'https://a.example' }));
      assert.equal(created.outcome, 'created');
      assert.match(created.etag ?? '', quotedEtag);
      assert.equal(store.isEmpty, false);
      const again = await one(store, create(subaccount, 'dest', { Name: 'dest', URL: 'https://other.example' }));
      assert.deepEqual(again, { name: 'dest', outcome: 'exists' });
      assert.equal(store.get(subaccount, 'destinations', 'dest')?.value.URL, 'https://a.example');
    });

    it('reports not_found for update and delete of a missing name', async () => {
      const store = await open();
      assert.deepEqual(await one(store, update(subaccount, 'missing', { Name: 'missing' })), { name: 'missing', outcome: 'not_found' });
      assert.deepEqual(await one(store, remove(subaccount, 'missing')), { name: 'missing', outcome: 'not_found' });
      assert.deepEqual(names(store, subaccount), []);
    });

    it('gives every write a new quoted etag and records the change', async () => {
      const store = await open();
      const etags = new Set<string>();
      const created = await one(store, create(subaccount, 'dest'));
      etags.add(created.etag ?? '');
      for (let round = 0; round < 5; round++) {
        const result = await one(store, update(subaccount, 'dest', { Name: 'dest', round: String(round) }));
        assert.equal(result.outcome, 'updated');
        assert.match(result.etag ?? '', quotedEtag);
        assert.equal(store.get(subaccount, 'destinations', 'dest')?.etag, result.etag);
        etags.add(result.etag ?? '');
      }
      assert.equal(etags.size, 6);
      assert.deepEqual(store.get(subaccount, 'destinations', 'dest')?.value, { Name: 'dest', round: '4' });
    });

    it('copies the value so later changes to the caller object are not stored', async () => {
      const store = await open();
      const value = { Name: 'dest', URL: 'https://a.example' };
      await one(store, create(subaccount, 'dest', value));
      value.URL = 'https://changed.example';
      assert.equal(store.get(subaccount, 'destinations', 'dest')?.value.URL, 'https://a.example');
    });

    it('honours If-Match on update and delete', async () => {
      const store = await open();
      const { etag } = await one(store, create(subaccount, 'dest'));
      assert.ok(etag);
      assert.deepEqual(await one(store, update(subaccount, 'dest', { Name: 'x' }, '"stale"')), { name: 'dest', outcome: 'precondition_failed' });
      assert.deepEqual(await one(store, remove(subaccount, 'dest', '"stale"')), { name: 'dest', outcome: 'precondition_failed' });
      assert.deepEqual(store.get(subaccount, 'destinations', 'dest')?.value, { Name: 'dest' }, 'a refused write changes nothing');
      const updated = await one(store, update(subaccount, 'dest', { Name: 'v2' }, etag));
      assert.equal(updated.outcome, 'updated');
      assert.equal((await one(store, update(subaccount, 'dest', { Name: 'v3' }, etag))).outcome, 'precondition_failed', 'the old etag is stale now');
      assert.equal((await one(store, update(subaccount, 'dest', { Name: 'v3' }, '*'))).outcome, 'updated');
      assert.equal((await one(store, remove(subaccount, 'dest', '*'))).outcome, 'deleted');
      assert.equal(store.get(subaccount, 'destinations', 'dest'), undefined);
    });

    it('applies a batch in order with one outcome per operation', async () => {
      const store = await open();
      const results = await store.apply([
        create(subaccount, 'b'),
        create(subaccount, 'a'),
        create(subaccount, 'b'),
        remove(subaccount, 'a'),
        remove(subaccount, 'a'),
      ]);
      assert.deepEqual(
        results.map((result) => result.outcome),
        ['created', 'created', 'exists', 'deleted', 'not_found'],
      );
      assert.deepEqual(names(store, subaccount), ['b']);
    });

    it('lists entries sorted by name (code-unit order)', async () => {
      const store = await open();
      await store.apply(['zeta', 'Alpha', 'beta', 'alpha', '_x', '10', '9'].map((name) => create(subaccount, name)));
      assert.deepEqual(names(store, subaccount), ['10', '9', 'Alpha', '_x', 'alpha', 'beta', 'zeta']);
    });

    it('keeps subaccount, instance, other tenants and collections apart', async () => {
      const store = await open();
      await store.apply([
        create(subaccount, 'shared', { level: 'subaccount' }),
        create(instance, 'shared', { level: 'instance' }),
        create(otherTenant, 'shared', { level: 'other' }),
        create(subaccount, 'shared', { level: 'certificate' }, 'certificates'),
      ]);
      assert.equal(store.get(subaccount, 'destinations', 'shared')?.value.level, 'subaccount');
      assert.equal(store.get(instance, 'destinations', 'shared')?.value.level, 'instance');
      assert.equal(store.get(otherTenant, 'destinations', 'shared')?.value.level, 'other');
      assert.equal(store.get(subaccount, 'certificates', 'shared')?.value.level, 'certificate');
      assert.equal(store.get(subaccount, 'fragments', 'shared'), undefined);
      assert.equal(store.get({ tenantId: 'tenant-a', instanceId: 'instance-2' }, 'destinations', 'shared'), undefined);
      await one(store, remove(instance, 'shared'));
      assert.deepEqual(names(store, instance), []);
      assert.deepEqual(names(store, subaccount), ['shared']);
      assert.deepEqual(names(store, otherTenant), ['shared']);
    });

    it('treats "constructor" and "toString" as ordinary names', async () => {
      const store = await open();
      assert.equal(store.get(subaccount, 'destinations', 'constructor'), undefined);
      assert.equal((await one(store, update(subaccount, 'toString', { Name: 'toString' }))).outcome, 'not_found');
      assert.equal((await one(store, create(subaccount, 'constructor'))).outcome, 'created');
      assert.equal((await one(store, create(subaccount, 'constructor'))).outcome, 'exists');
      assert.deepEqual(names(store, subaccount), ['constructor']);
      assert.equal((await one(store, remove(subaccount, 'constructor'))).outcome, 'deleted');
      assert.deepEqual(names(store, subaccount), []);
    });

    it('treats "__proto__" as an ordinary name', async () => {
      const store = await open();
      assert.equal((await one(store, create(subaccount, '__proto__'))).outcome, 'created');
      assert.deepEqual(names(store, subaccount), ['__proto__']);
      assert.equal(store.get(subaccount, 'destinations', '__proto__')?.value.Name, '__proto__');
      assert.equal((await one(store, create(subaccount, '__proto__'))).outcome, 'exists');
    });

    it('treats "constructor" and "__proto__" as ordinary tenant ids', async () => {
      const store = await open();
      for (const tenantId of ['constructor', '__proto__']) {
        assert.equal((await one(store, create({ tenantId }, 'dest'))).outcome, 'created');
        assert.deepEqual(names(store, { tenantId }), ['dest']);
      }
    });

    it('replaceInValues rewrites every occurrence in every scope', async () => {
      const store = await open();
      await store.apply([
        create(subaccount, 'a', { URL: 'http://localhost:4000/x', tokenServiceURL: 'http://localhost:4000/t?u=http://localhost:4000' }),
        create(instance, 'b', { URL: 'http://localhost:4000' }, 'fragments'),
        create(otherTenant, 'c', { URL: 'https://other.example' }),
      ]);
      const before = store.get(subaccount, 'destinations', 'a');
      await store.replaceInValues('localhost:4000', 'localhost:5000');
      assert.deepEqual(store.get(subaccount, 'destinations', 'a')?.value, {
        URL: 'http://localhost:5000/x',
        tokenServiceURL: 'http://localhost:5000/t?u=http://localhost:5000',
      });
      assert.equal(store.get(subaccount, 'destinations', 'a')?.etag, before?.etag);
      assert.equal(store.get(instance, 'fragments', 'b')?.value.URL, 'http://localhost:5000');
      assert.equal(store.get(otherTenant, 'destinations', 'c')?.value.URL, 'https://other.example');
    });
  });
}

describe('DestinationStore backed by a file', () => {
  it('reopens with every acknowledged write, etag and modification time', async () => {
    const path = newPath();
    const store = await DestinationStore.open(path);
    const startedAt = Date.now();
    await store.apply([create(subaccount, 'kept'), create(instance, 'gone'), create(otherTenant, 'other', { URL: 'u' }, 'certificates')]);
    const { etag } = await one(store, update(subaccount, 'kept', { Name: 'kept', URL: 'v2' }));
    await one(store, remove(instance, 'gone'));
    const reopened = await DestinationStore.open(path);
    assert.deepEqual(reopened.list(subaccount, 'destinations'), store.list(subaccount, 'destinations'));
    const kept = reopened.get(subaccount, 'destinations', 'kept');
    assert.equal(kept?.etag, etag);
    assert.deepEqual(kept?.value, { Name: 'kept', URL: 'v2' });
    assert.ok((kept?.modifiedAt ?? 0) >= startedAt && (kept?.modifiedAt ?? Infinity) <= Date.now());
    assert.deepEqual(names(reopened, instance), []);
    assert.deepEqual(names(reopened, otherTenant, 'certificates'), ['other']);
  });

  it('sees concurrent acknowledged applies after reopening', async () => {
    const path = newPath();
    const store = await DestinationStore.open(path);
    const all = Array.from({ length: 20 }, (_, index) => `dest-${String(index).padStart(2, '0')}`);
    await Promise.all(all.map((name) => store.apply([create(subaccount, name)])));
    assert.deepEqual(names(await DestinationStore.open(path), subaccount), all);
  });

  it('persists replaceInValues', async () => {
    const path = newPath();
    const store = await DestinationStore.open(path);
    await one(store, create(subaccount, 'a', { URL: 'http://127.0.0.1:4000/api' }));
    await store.replaceInValues('127.0.0.1:4000', '127.0.0.1:4100');
    const reopened = await DestinationStore.open(path);
    assert.equal(reopened.get(subaccount, 'destinations', 'a')?.value.URL, 'http://127.0.0.1:4100/api');
  });

  it('does not rewrite the file for writes that changed nothing', async () => {
    const path = newPath();
    const store = await DestinationStore.open(path);
    await one(store, create(subaccount, 'a'));
    const before = await readFile(path, 'utf8');
    await rm(path);
    await store.apply([create(subaccount, 'a'), remove(subaccount, 'missing'), update(subaccount, 'a', { Name: 'x' }, '"stale"')]);
    await assert.rejects(readFile(path, 'utf8'), { code: 'ENOENT' });
    assert.match(before, /"a"/);
  });

  it('refuses to open a JSON file that is not a store', async () => {
    const path = newPath();
    await writeFile(path, JSON.stringify({ version: 2, scopes: {} }));
    await assert.rejects(DestinationStore.open(path), (error: Error) => error.message.includes('is not a sandbox destination store (version 1)'));
  });
});

describe('etagMatches', () => {
  const etag = '"abc-123"';
  const cases: [string, boolean][] = [
    ['"abc-123"', true],
    ['abc-123', true],
    ['W/"abc-123"', true],
    ['*', true],
    ['"x", "abc-123"', true],
    ['"x",W/"abc-123"', true],
    ['"x" , *', true],
    ['"abc-1234"', false],
    ['"ABC-123"', false],
    ['"x", "y"', false],
    ['', false],
    ['"abc', false],
  ];
  for (const [header, expected] of cases) {
    it(`${JSON.stringify(header)} ${expected ? 'matches' : 'does not match'} ${etag}`, () => {
      assert.equal(etagMatches(header, etag), expected);
    });
  }
});
