import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DisposableStore } from '../../../../src/core/lifecycle/disposableStore';

describe('DisposableStore', () => {
  const recorder = () => {
    const order: string[] = [];
    const item = (name: string, fail = false) => ({
      dispose: () => {
        order.push(name);
        if (fail) throw new Error(`${name} failed`);
      },
    });
    return { order, item };
  };

  it('disposes newest first, once', () => {
    const { order, item } = recorder();
    const store = DisposableStore.of(item('a'), item('b'));
    store.add(item('c'));
    store.dispose();
    store.dispose();
    assert.deepEqual(order, ['c', 'b', 'a']);
    assert.equal(store.isDisposed, true);
  });

  it('an item added after dispose is disposed at once', () => {
    const { order, item } = recorder();
    const store = new DisposableStore();
    store.dispose();
    const late = store.add(item('late'));
    assert.deepEqual(order, ['late']);
    assert.equal(typeof late.dispose, 'function');
  });

  it('one failure does not keep the others alive; it is thrown after all ran', () => {
    const { order, item } = recorder();
    const store = DisposableStore.of(item('a'), item('b', true), item('c'));
    assert.throws(() => store.dispose(), /b failed/);
    assert.deepEqual(order, ['c', 'b', 'a']);
  });

  it('several failures are thrown together', () => {
    const { item } = recorder();
    const store = DisposableStore.of(item('a', true), item('b', true));
    assert.throws(
      () => store.dispose(),
      (error) => error instanceof AggregateError && error.errors.length === 2,
    );
  });
});
