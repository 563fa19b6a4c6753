/**
 * Tiny structural guards for untrusted message payloads. A guard returns the first problem as a path
 * (`params.name: expected a string`) or undefined; `is()` on a descriptor wraps it. No DOM, no Node.
 */

export type Guard = (value: unknown, path: string) => string | undefined;

export const string: Guard = (value, path) => (typeof value === 'string' ? undefined : `${path}: expected a string`);
export const boolean: Guard = (value, path) => (typeof value === 'boolean' ? undefined : `${path}: expected a boolean`);
export const integer: Guard = (value, path) => (Number.isSafeInteger(value) ? undefined : `${path}: expected an integer`);

/** A string of at most `max` characters (bounds what a compromised webview can make the host hold). */
export function boundedString(max: number): Guard {
  return (value, path) => string(value, path) ?? ((value as string).length <= max ? undefined : `${path}: longer than ${max} characters`);
}

export function literal<T extends string | number>(...values: readonly T[]): Guard {
  return (value, path) => ((values as readonly unknown[]).includes(value) ? undefined : `${path}: expected one of ${values.join(', ')}`);
}

export function optional(guard: Guard): Guard {
  return (value, path) => (value === undefined ? undefined : guard(value, path));
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An object with exactly these keys (optional ones may be absent); unknown keys are refused. */
export function object(shape: Readonly<Record<string, Guard>>): Guard {
  return (value, path) => {
    if (!isPlainObject(value)) return `${path}: expected an object`;
    for (const key of Object.keys(value)) if (!Object.hasOwn(shape, key)) return `${path}.${key}: not expected`;
    for (const [key, guard] of Object.entries(shape)) {
      const problem = guard(value[key], `${path}.${key}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

/** A map of string keys to values of `guard`, with at most `maxEntries` entries. */
export function record(guard: Guard, maxEntries = 1000): Guard {
  return (value, path) => {
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
  };
}

export function array(guard: Guard, maxItems = 1000): Guard {
  return (value, path) => {
    if (!Array.isArray(value)) return `${path}: expected an array`;
    if (value.length > maxItems) return `${path}: more than ${maxItems} items`;
    for (const [index, item] of value.entries()) {
      const problem = guard(item, `${path}[${index}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}
