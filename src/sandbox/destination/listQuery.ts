/**
 * The query options of the Destination service's list endpoints (spec §3.1): three exclusive modes
 * (default, `$select=Name`, `$page`), `$filter` and `$includeMetadata` in default mode only.
 */

export type NameFilter =
  | { readonly kind: 'in'; readonly names: readonly string[] }
  | { readonly kind: 'startswith'; readonly prefix: string }
  | { readonly kind: 'endswith'; readonly suffix: string }
  | { readonly kind: 'modifiedwithin'; readonly minutes: number };

export type ListQuery =
  | { readonly mode: 'default'; readonly filter?: NameFilter; readonly metadata: readonly ('modification_time' | 'etag')[] }
  | { readonly mode: 'select' }
  | { readonly mode: 'page'; readonly page: number; readonly pageSize: number; readonly pageCount: boolean; readonly entityCount: boolean };

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export function parseListQuery(params: URLSearchParams, allowedFilters: readonly NameFilter['kind'][]): Parsed<ListQuery> {
  const select = params.get('$select');
  const page = params.get('$page');
  const filterText = params.get('$filter');
  const metadataText = params.get('$includeMetadata');
  if (select !== null && page !== null) return fail('$select and $page cannot be combined');
  if ((select !== null || page !== null) && filterText !== null) return fail('$filter can only be used without $select and $page');
  if ((select !== null || page !== null) && metadataText !== null) return fail('$includeMetadata can only be used without $select and $page');
  if (select !== null) {
    return select === 'Name' ? { ok: true, value: { mode: 'select' } } : fail(`$select supports only "Name", not "${select}"`);
  }
  if (page !== null) {
    const pageNumber = positiveInteger(page);
    if (pageNumber === undefined) return fail(`$page must be a positive integer, not "${page}"`);
    const sizeText = params.get('$pageSize') ?? '10';
    const pageSize = positiveInteger(sizeText);
    if (pageSize === undefined || pageSize > 1000) return fail(`$pageSize must be between 1 and 1000, not "${sizeText}"`);
    return {
      ok: true,
      value: { mode: 'page', page: pageNumber, pageSize, pageCount: params.get('$pageCount') === 'true', entityCount: params.get('$entityCount') === 'true' },
    };
  }
  const metadata: ('modification_time' | 'etag')[] = [];
  for (const item of (metadataText ?? '').split(';').filter(Boolean)) {
    if (item !== 'modification_time' && item !== 'etag') return fail(`$includeMetadata supports modification_time and etag, not "${item}"`);
    metadata.push(item);
  }
  if (filterText === null) return { ok: true, value: { mode: 'default', metadata } };
  const filter = parseFilter(filterText.trim());
  if (!filter.ok) return filter;
  if (!allowedFilters.includes(filter.value.kind)) return fail(`$filter ${filter.value.kind}(...) is not supported here`);
  return { ok: true, value: { mode: 'default', filter: filter.value, metadata } };
}

export function matchesFilter(filter: NameFilter | undefined, name: string, modifiedAt: number, now = Date.now()): boolean {
  if (!filter) return true;
  switch (filter.kind) {
    case 'in':
      return filter.names.includes(name);
    case 'startswith':
      return name.startsWith(filter.prefix);
    case 'endswith':
      return name.endsWith(filter.suffix);
    case 'modifiedwithin':
      return now - modifiedAt <= filter.minutes * 60_000;
  }
}

function parseFilter(text: string): Parsed<NameFilter> {
  const inList = /^Name\s+in\s*\((.*)\)$/s.exec(text);
  if (inList) {
    const names = parseQuotedList(inList[1] ?? '');
    return names ? { ok: true, value: { kind: 'in', names } } : fail(`$filter "Name in (...)" needs quoted names, e.g. Name in ('a','b')`);
  }
  const call = /^(startswith|endswith)\(\s*Name\s*,\s*(.*)\)$/s.exec(text);
  if (call) {
    const values = parseQuotedList(call[2] ?? '');
    if (!values || values.length !== 1) return fail(`$filter ${call[1]} needs one quoted value, e.g. ${call[1]}(Name,'abc')`);
    const value = values[0] ?? '';
    return { ok: true, value: call[1] === 'startswith' ? { kind: 'startswith', prefix: value } : { kind: 'endswith', suffix: value } };
  }
  const within = /^modifiedwithin\((.*)\)$/s.exec(text);
  if (within) {
    const values = parseQuotedList(within[1] ?? '');
    const minutes = positiveInteger(values?.[0] ?? '');
    if (!values || values.length !== 2 || values[1] !== 'minutes' || minutes === undefined || minutes > 1440) {
      return fail(`$filter modifiedwithin needs a number of minutes from 1 to 1440, e.g. modifiedwithin('30','minutes')`);
    }
    return { ok: true, value: { kind: 'modifiedwithin', minutes } };
  }
  return fail(`Unsupported $filter expression; use Name in ('a','b'), startswith(Name,'a'), endswith(Name,'a') or modifiedwithin('30','minutes')`);
}

/** `'a','b''c'` → ['a', "b'c"]; each item percent-decoded. Undefined when malformed. */
function parseQuotedList(text: string): string[] | undefined {
  const items: string[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    if (!rest.startsWith("'")) return undefined;
    let index = 1;
    let value = '';
    for (;;) {
      const quote = rest.indexOf("'", index);
      if (quote < 0) return undefined;
      value += rest.slice(index, quote);
      if (rest[quote + 1] === "'") {
        value += "'";
        index = quote + 2;
        continue;
      }
      rest = rest.slice(quote + 1).trim();
      break;
    }
    items.push(safeDecode(value));
    if (rest.startsWith(',')) rest = rest.slice(1).trim();
    else if (rest.length > 0) return undefined;
  }
  return items.length > 0 ? items : undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function positiveInteger(text: string): number | undefined {
  return /^[1-9][0-9]{0,6}$/.test(text) ? Number(text) : undefined;
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
