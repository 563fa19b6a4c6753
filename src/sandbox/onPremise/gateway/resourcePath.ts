import { badRequest, notFound } from './errors';
import { entityTypeOf, type EntityType, type Navigation, type Row } from './model';

/**
 * A resource path relative to the service root: `Set`, `Set('k')`, `Set(K1='a',K2='b')`, `Set('k')/navigation`,
 * each optionally followed by `/$count`; trailing slashes are ignored (the Cloud SDK fetches its CSRF token on
 * `<path>/`).
 */
export interface ResourcePath {
  readonly type: EntityType;
  /** The key of a single entity, when the path addresses one. */
  readonly key?: Row;
  /** The navigation taken from the keyed entity. */
  readonly navigation?: { readonly from: EntityType; readonly key: Row; readonly navigation: Navigation };
  readonly count: boolean;
}

const segmentPattern = /^([A-Za-z_]\w*)(?:\((.*)\))?$/;

export function parseResourcePath(path: string): ResourcePath {
  const segments = splitSegments(path.replace(/\/+$/, ''));
  const count = segments.at(-1) === '$count';
  if (count) segments.pop();
  const [first, second, ...rest] = segments;
  if (first === undefined || rest.length > 0) throw notFound(path);
  const head = segmentPattern.exec(first);
  const type = head ? entityTypeOf(head[1] as string) : undefined;
  if (!head || !type) throw notFound(head?.[1] ?? first);
  const key = head[2] === undefined ? undefined : parseKey(type, head[2]);
  if (second === undefined) {
    if (count && key) throw badRequest('$count is not allowed on a single entity');
    return { type, ...(key ? { key } : {}), count };
  }
  const navigation = type.navigations.find((candidate) => candidate.name === second);
  if (!key || !navigation) throw notFound(second);
  const target = entityTypeOf(navigation.target) as EntityType;
  return { type: target, navigation: { from: type, key, navigation }, count };
}

/** Splits on `/` outside quoted key values. */
function splitSegments(path: string): string[] {
  const segments: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of path) {
    if (char === "'") quoted = !quoted;
    if (char === '/' && !quoted) {
      segments.push(current);
      current = '';
    } else current += char;
  }
  segments.push(current);
  return segments.filter((segment, index) => index > 0 || segment !== '');
}

function parseKey(type: EntityType, predicate: string): Row {
  const literal = /^'((?:[^']|'')*)'$/;
  const single = literal.exec(predicate);
  if (single && type.keys.length === 1) return { [type.keys[0] as string]: (single[1] as string).replace(/''/g, "'") };
  const key: Row = {};
  for (const pair of predicate.split(/,(?=(?:[^']*'[^']*')*[^']*$)/)) {
    const match = /^\s*(\w+)\s*=\s*'((?:[^']|'')*)'\s*$/.exec(pair);
    if (!match || !type.keys.includes(match[1] as string)) throw badRequest(`Invalid key predicate '${predicate}' for ${type.set}`);
    key[match[1] as string] = (match[2] as string).replace(/''/g, "'");
  }
  if (type.keys.some((name) => key[name] === undefined)) throw badRequest(`Invalid key predicate '${predicate}' for ${type.set}`);
  return key;
}

/** `Set('k')` or `Set(K1='a',K2='b')`: the canonical path of an entity. */
export function entityPath(type: EntityType, row: Row): string {
  const quote = (value: unknown): string => `'${String(value).replace(/'/g, "''")}'`;
  if (type.keys.length === 1) return `${type.set}(${quote(row[type.keys[0] as string])})`;
  return `${type.set}(${type.keys.map((name) => `${name}=${quote(row[name])}`).join(',')})`;
}
