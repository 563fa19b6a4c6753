import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { array, integer, literal, object, optional, string, type Admitted, type Guard } from '../../../src/protocol/guards';
import { notificationType, requestType } from '../../../src/protocol/ipc';

// A message's declared payload type and its guard cannot drift apart: `tsc` (npm run typecheck, which covers
// tests) fails on every `@ts-expect-error` below that stops being an error, and the runtime checks show each
// guard refuses what its type does not admit.

describe('Guard<T>: the guard fixes its payload type', () => {
  it('a guard with a field the type lacks, or lacking one it has, does not type-check', () => {
    // @ts-expect-error the guard admits `extra`, the declared payload has no such field
    const extraField = notificationType<{ readonly name: string }>('x', object({ name: string, extra: integer }));
    // @ts-expect-error the declared payload has `seq`, the guard does not check it
    const missingField = notificationType<{ readonly name: string; readonly seq: number }>('x', object({ name: string }));
    // @ts-expect-error a field of another type
    const otherType = requestType<{ readonly seq: string }, void>('x', object({ seq: integer }));
    // @ts-expect-error a plain function is not a guard: guards come only from src/protocol/guards
    const plainFunction = notificationType<{ readonly name: string }>('x', () => undefined);
    assert.equal(extraField.params({ name: 'a', extra: 1 }, 'params'), undefined);
    assert.match(missingField.params({ name: 'a', seq: 1 }, 'params') ?? '', /params\.seq: not expected/);
    assert.match(otherType.params({ seq: '1' }, 'params') ?? '', /params\.seq: expected an integer/);
    assert.equal(plainFunction.params(42, 'params'), undefined);
  });

  it('optional keys, literals and arrays produce the matching type', () => {
    const guard = object({ kind: literal('a', 'b'), items: array(string, 3), note: optional(string) });
    const admitted: Admitted<typeof guard> = { kind: 'a', items: ['x'] };
    const declared = notificationType<{ readonly kind: 'a' | 'b'; readonly items: readonly string[]; readonly note?: string | undefined }>('y', guard);
    assert.equal(declared.params(admitted, 'params'), undefined);
    assert.match(declared.params({ kind: 'c', items: [] }, 'params') ?? '', /params\.kind: expected one of a, b/);
    assert.match(declared.params({ kind: 'a', items: ['1', '2', '3', '4'] }, 'params') ?? '', /params\.items: more than 3 items/);
    assert.match(declared.params({ kind: 'a', items: [], note: 1 }, 'params') ?? '', /params\.note: expected a string/);
  });

  it('Guard<T> is invariant: a guard of a narrower type is not a guard of a wider one', () => {
    const one: Guard<1> = literal(1);
    // @ts-expect-error Guard<1> admits only 1, so it cannot stand for Guard<number>
    const wider: Guard<number> = one;
    assert.match(wider(2, 'v') ?? '', /v: expected one of 1/);
  });
});
