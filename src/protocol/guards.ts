/**
 * Tiny structural guards for untrusted message payloads. A guard returns the first problem as a path
 * (`params.name: expected a string`) or undefined; `is()` on a descriptor wraps it. No DOM, no Node.
 * Each guard carries the type it admits, so a message's declared payload type and its guard cannot drift apart.
 */

declare const admits: unique symbol;

export interface Guard<T> {
  (value: unknown, path: string): string | undefined;
  /** Phantom brand, never set: the type this guard admits. In and out, so `Guard<T>` is invariant in `T`. */
  readonly [admits]: (value: T) => T;
}

/** Declares what `check` admits. Guards are made only here, so a plain function cannot pass for a typed guard. */
function admitting<T>(check: (value: unknown, path: string) => string | undefined): Guard<T> {
  return check as Guard<T>;
}

/** The type a guard admits. */
export type Admitted<G> = G extends Guard<infer T> ? T : never;

export const string = admitting<string>((value, path) => (typeof value === 'string' ? undefined : `${path}: expected a string`));
export const boolean = admitting<boolean>((value, path) => (typeof value === 'boolean' ? undefined : `${path}: expected a boolean`));
export const integer = admitting<number>((value, path) => (Number.isSafeInteger(value) ? undefined : `${path}: expected an integer`));

/** No check: for messages from the extension host to its own webview, which trusts its host. */
export function unchecked<T>(): Guard<T> {
  return admitting<T>(() => undefined);
}

/** A string of at most `max` characters (bounds what a compromised webview can make the host hold). */
export function boundedString(max: number): Guard<string> {
  return admitting((value, path) => string(value, path) ?? ((value as string).length <= max ? undefined : `${path}: longer than ${max} characters`));
}

export function literal<const T extends string | number>(...values: readonly T[]): Guard<T> {
  return admitting((value, path) => ((values as readonly unknown[]).includes(value) ? undefined : `${path}: expected one of ${values.join(', ')}`));
}

export function optional<T>(guard: Guard<T>): Guard<T | undefined> {
  return admitting((value, path) => (value === undefined ? undefined : guard(value, path)));
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a shape holds guards of any payload type
type Shape = Readonly<Record<string, Guard<any>>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends Admitted<S[K]> ? K : never }[keyof S];
type ObjectOf<S extends Shape> = { readonly [K in Exclude<keyof S, OptionalKeys<S>>]: Admitted<S[K]> } & {
  readonly [K in OptionalKeys<S>]?: Admitted<S[K]>;
};

/** An object with exactly these keys (optional ones may be absent); unknown keys are refused. */
export function object<const S extends Shape>(shape: S): Guard<ObjectOf<S>> {
  return admitting((value, path) => {
    if (!isPlainObject(value)) return `${path}: expected an object`;
    for (const key of Object.keys(value)) if (!Object.hasOwn(shape, key)) return `${path}.${key}: not expected`;
    for (const [key, guard] of Object.entries(shape)) {
      const problem = guard(value[key], `${path}.${key}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  });
}

/** A map of string keys to values of `guard`, with at most `maxEntries` entries. */
export function record<T>(guard: Guard<T>, maxEntries = 1000): Guard<Readonly<Record<string, T>>> {
  return admitting((value, path) => {
    if (!isPlainObject(value)) return `${path}: expected an object`;
    const keys = Object.keys(value);
    if (keys.length > maxEntries) return `${path}: more than ${maxEntries} entries`;
    for (const key of keys) {
      // Keys that would reach an object's prototype when copied into a plain object by its receiver.
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') return `${path}: the key "${key}" is not allowed`;
      const problem = guard(value[key], `${path}[${JSON.stringify(key.slice(0, 80))}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  });
}

export function array<T>(guard: Guard<T>, maxItems = 1000): Guard<readonly T[]> {
  return admitting((value, path) => {
    if (!Array.isArray(value)) return `${path}: expected an array`;
    if (value.length > maxItems) return `${path}: more than ${maxItems} items`;
    for (const [index, item] of value.entries()) {
      const problem = guard(item, `${path}[${index}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  });
}
