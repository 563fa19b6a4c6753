import { badRequest, codes } from './errors';
import { compileFilter } from './filter';
import { entityTypeOf, type EntityType, type Row } from './model';

/** The system query options of a read, parsed and checked against the entity type as Gateway does (400 otherwise). */
export interface ReadOptions {
  readonly filter?: (row: Row) => boolean;
  readonly orderBy: readonly { readonly property: string; readonly descending: boolean }[];
  readonly top?: number;
  readonly skip: number;
  readonly skipToken: number;
  readonly inlineCount: boolean;
  /** Navigation properties to expand. */
  readonly expand: readonly string[];
  /** Undefined: everything. Otherwise the selected properties, per level ('' for the entity, a navigation's name for its targets). */
  readonly select?: ReadonlyMap<string, ReadonlySet<string>>;
}

const systemOptions = new Set(['$filter', '$select', '$orderby', '$top', '$skip', '$skiptoken', '$inlinecount', '$expand', '$format']);

export function parseReadOptions(query: URLSearchParams, type: EntityType): ReadOptions {
  for (const name of query.keys()) {
    if (name.startsWith('$') && !systemOptions.has(name)) throw badRequest(`System query option '${name}' is not supported`);
  }
  const format = query.get('$format');
  if (format !== null && format !== 'json') throw badRequest(`The sandbox answers JSON only; $format=${format} is not supported`);
  const filterText = query.get('$filter');
  const inlineCount = query.get('$inlinecount');
  if (inlineCount !== null && inlineCount !== 'allpages' && inlineCount !== 'none') throw badRequest(`Invalid value '${inlineCount}' for $inlinecount`);
  const top = integer(query, '$top');
  const expand = parseExpand(query.get('$expand'), type);
  return {
    ...(filterText !== null ? { filter: compileFilter(filterText, type) } : {}),
    orderBy: parseOrderBy(query.get('$orderby'), type),
    ...(top !== undefined ? { top } : {}),
    skip: integer(query, '$skip') ?? 0,
    skipToken: integer(query, '$skiptoken') ?? 0,
    inlineCount: inlineCount === 'allpages',
    expand,
    ...(query.get('$select') !== null ? { select: parseSelect(query.get('$select') as string, type, expand) } : {}),
  };
}

function integer(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw badRequest(`Invalid value '${value}' for system query option ${name}`);
  return Number(value);
}

function property(type: EntityType, name: string): string {
  if (!type.properties.some((candidate) => candidate.name === name))
    throw badRequest(`Property '${name}' not found in type '${type.type}'`, codes.invalidProperty);
  return name;
}

function parseOrderBy(value: string | null, type: EntityType): ReadOptions['orderBy'] {
  if (value === null || value.trim() === '') return [];
  return value.split(',').map((item) => {
    const match = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/.exec(item);
    if (!match) throw badRequest(`Invalid $orderby item '${item.trim()}'`);
    return { property: property(type, match[1] as string), descending: match[2] === 'desc' };
  });
}

function parseExpand(value: string | null, type: EntityType): string[] {
  if (value === null || value.trim() === '') return [];
  return value.split(',').map((item) => {
    const name = item.trim();
    if (!type.navigations.some((navigation) => navigation.name === name))
      throw badRequest(`Navigation property '${name}' not found in type '${type.type}'`, codes.invalidProperty);
    return name;
  });
}

function parseSelect(value: string, type: EntityType, expand: readonly string[]): Map<string, Set<string>> {
  const levels = new Map<string, Set<string>>([['', new Set()]]);
  const at = (level: string): Set<string> => levels.get(level) ?? (levels.set(level, new Set()).get(level) as Set<string>);
  for (const item of value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [first, second, ...rest] = item.split('/');
    if (rest.length > 0) throw badRequest(`Invalid $select item '${item}'`);
    if (first === '*' && second === undefined) {
      at('').add('*');
      continue;
    }
    const navigation = type.navigations.find((candidate) => candidate.name === first);
    if (navigation) {
      if (!expand.includes(navigation.name) && second !== undefined) throw badRequest(`'${item}' needs $expand=${navigation.name}`);
      at('').add(navigation.name);
      const target = entityTypeOf(navigation.target) as EntityType;
      at(navigation.name).add(second === undefined || second === '*' ? '*' : property(target, second));
      continue;
    }
    if (second !== undefined) throw badRequest(`Invalid $select item '${item}'`);
    at('').add(property(type, first as string));
  }
  return levels;
}

/** Filter, order, skip/top; returns all matching rows (for `__count`) and the window. */
export function applyReadOptions(rows: readonly Row[], options: ReadOptions): { matching: Row[]; window: Row[] } {
  const matching = options.filter ? rows.filter(options.filter) : [...rows];
  if (options.orderBy.length > 0) {
    matching.sort((a, b) => {
      for (const { property: name, descending } of options.orderBy) {
        const [x, y] = [a[name] ?? '', b[name] ?? ''];
        if (x === y) continue;
        return (x < y ? -1 : 1) * (descending ? -1 : 1);
      }
      return 0;
    });
  }
  const end = options.top === undefined ? matching.length : options.skip + options.top;
  return { matching, window: matching.slice(options.skip, end) };
}
