import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesFilter, parseListQuery } from '../../../../src/sandbox/destination/listQuery';
import type { ListQuery, NameFilter } from '../../../../src/sandbox/destination/listQuery';

const allFilters: NameFilter['kind'][] = ['in', 'startswith', 'endswith', 'modifiedwithin'];

/** Parses a raw query string the way the server sees it (URLSearchParams decoding included). */
function parse(query: string, allowed: readonly NameFilter['kind'][] = allFilters) {
  return parseListQuery(new URLSearchParams(query), allowed);
}

function parsed(query: string, allowed: readonly NameFilter['kind'][] = allFilters): ListQuery {
  const result = parse(query, allowed);
  assert.ok(result.ok, `expected ${query} to parse, got: ${result.ok ? '' : result.error}`);
  return result.value;
}

function refused(query: string, allowed: readonly NameFilter['kind'][] = allFilters): string {
  const result = parse(query, allowed);
  assert.ok(!result.ok, `expected ${query} to be refused, got ${JSON.stringify(result.ok && result.value)}`);
  return result.error;
}

function filterOf(query: string): NameFilter | undefined {
  const value = parsed(query);
  assert.equal(value.mode, 'default');
  return value.mode === 'default' ? value.filter : undefined;
}

const q = (filter: string) => `$filter=${encodeURIComponent(filter)}`;

describe('parseListQuery: modes', () => {
  it('parses the three exclusive modes', () => {
    assert.deepEqual(parsed(''), { mode: 'default', metadata: [] });
    assert.deepEqual(parsed('$select=Name'), { mode: 'select' });
    assert.deepEqual(parsed('$page=3'), { mode: 'page', page: 3, pageSize: 10, pageCount: false, entityCount: false });
    assert.deepEqual(parsed('$page=2&$pageSize=25&$pageCount=true&$entityCount=true'), {
      mode: 'page',
      page: 2,
      pageSize: 25,
      pageCount: true,
      entityCount: true,
    });
  });

  it('takes $pageCount and $entityCount as true only when spelled "true"', () => {
    assert.deepEqual(parsed('$page=1&$pageCount=1&$entityCount=yes'), { mode: 'page', page: 1, pageSize: 10, pageCount: false, entityCount: false });
  });

  it('accepts $select=Name only', () => {
    assert.match(refused('$select=URL'), /\$select supports only "Name", not "URL"/);
    assert.match(refused('$select=name'), /not "name"/);
    assert.match(refused('$select='), /not ""/);
  });

  it('parses $includeMetadata items separated by ";" in default mode', () => {
    assert.deepEqual(parsed('$includeMetadata=etag'), { mode: 'default', metadata: ['etag'] });
    assert.deepEqual(parsed('$includeMetadata=modification_time;etag'), { mode: 'default', metadata: ['modification_time', 'etag'] });
    assert.match(refused('$includeMetadata=etag;owner'), /supports modification_time and etag, not "owner"/);
    assert.match(refused('$includeMetadata=true'), /not "true"/);
  });

  const refusedCombinations: [string, RegExp][] = [
    ['$select=Name&$page=1', /\$select and \$page cannot be combined/],
    ['$page=1&$select=Name&$pageSize=5', /\$select and \$page cannot be combined/],
    [`$page=1&${q("Name in ('a')")}`, /\$filter can only be used without \$select and \$page/],
    [`$select=Name&${q("startswith(Name,'a')")}`, /\$filter can only be used without \$select and \$page/],
    ['$page=1&$includeMetadata=etag', /\$includeMetadata can only be used without \$select and \$page/],
    ['$select=Name&$includeMetadata=modification_time', /\$includeMetadata can only be used without \$select and \$page/],
  ];
  for (const [query, message] of refusedCombinations) {
    it(`refuses ${query}`, () => assert.match(refused(query), message));
  }
});

describe('parseListQuery: paging bounds', () => {
  for (const size of ['1', '10', '999', '1000']) {
    it(`accepts $pageSize=${size}`, () => {
      const value = parsed(`$page=1&$pageSize=${size}`);
      assert.equal(value.mode === 'page' && value.pageSize, Number(size));
    });
  }
  for (const size of ['0', '1001', '-1', '1.5', '10a', '', ' 5', '01', '99999999']) {
    it(`refuses $pageSize=${JSON.stringify(size)} naming the range`, () => {
      const error = refused(`$page=1&$pageSize=${encodeURIComponent(size)}`);
      assert.ok(error.includes('$pageSize must be between 1 and 1000'), error);
      assert.ok(error.includes(`"${size}"`), error);
    });
  }
  for (const page of ['0', '-1', 'x', '', '1.0', '02']) {
    it(`refuses $page=${JSON.stringify(page)}`, () => {
      assert.ok(refused(`$page=${encodeURIComponent(page)}`).includes(`$page must be a positive integer, not "${page}"`));
    });
  }
  it('accepts large positive page numbers', () => {
    const value = parsed('$page=123456');
    assert.equal(value.mode === 'page' && value.page, 123_456);
  });
});

describe('parseListQuery: filters', () => {
  const accepted: [string, NameFilter][] = [
    ["Name in ('a','b')", { kind: 'in', names: ['a', 'b'] }],
    ["Name in ( 'a' , 'b' )", { kind: 'in', names: ['a', 'b'] }],
    ["Name in('only')", { kind: 'in', names: ['only'] }],
    ["Name in ('it''s','''')", { kind: 'in', names: ["it's", "'"] }],
    ["Name in ('a%20b','c%27d')", { kind: 'in', names: ['a b', "c'd"] }],
    ["Name in ('100%')", { kind: 'in', names: ['100%'] }],
    ["  startswith(Name,'dest-')  ", { kind: 'startswith', prefix: 'dest-' }],
    ["startswith( Name , 'a,b' )", { kind: 'startswith', prefix: 'a,b' }],
    ["endswith(Name,'-prod')", { kind: 'endswith', suffix: '-prod' }],
    ["endswith(Name,'x''y')", { kind: 'endswith', suffix: "x'y" }],
    ["modifiedwithin('30','minutes')", { kind: 'modifiedwithin', minutes: 30 }],
    ["modifiedwithin('1','minutes')", { kind: 'modifiedwithin', minutes: 1 }],
    ["modifiedwithin( '1440' , 'minutes' )", { kind: 'modifiedwithin', minutes: 1440 }],
  ];
  for (const [filter, expected] of accepted) {
    it(`parses ${filter}`, () => assert.deepEqual(filterOf(q(filter)), expected));
  }

  it('decodes a name percent-encoded twice in the URL (once by the query, once in the quotes)', () => {
    // What a client sends when it percent-encodes the name inside the quotes and then the whole parameter.
    assert.deepEqual(filterOf(`$filter=Name%20in%20('a%2520b')`), { kind: 'in', names: ['a b'] });
  });

  it('keeps $includeMetadata next to a filter', () => {
    assert.deepEqual(parsed(`${q("endswith(Name,'z')")}&$includeMetadata=etag`), {
      mode: 'default',
      filter: { kind: 'endswith', suffix: 'z' },
      metadata: ['etag'],
    });
  });

  const malformed: [string, string][] = [
    ['Name in (a,b)', "Name in ('a','b')"],
    ['Name in ()', "Name in ('a','b')"],
    ["Name in ('a' 'b')", "Name in ('a','b')"],
    ["Name in ('unterminated)", "Name in ('a','b')"],
    ['startswith(Name,abc)', "startswith(Name,'abc')"],
    ["startswith(Name,'a','b')", "startswith(Name,'abc')"],
    ['endswith(Name,)', "endswith(Name,'abc')"],
    ["modifiedwithin('0','minutes')", "modifiedwithin('30','minutes')"],
    ["modifiedwithin('1441','minutes')", "modifiedwithin('30','minutes')"],
    ["modifiedwithin('30','hours')", "modifiedwithin('30','minutes')"],
    ["modifiedwithin('30')", "modifiedwithin('30','minutes')"],
    ["modifiedwithin(30,'minutes')", "modifiedwithin('30','minutes')"],
    ["modifiedwithin('-5','minutes')", "modifiedwithin('30','minutes')"],
    ["Name eq 'a'", "Name in ('a','b'), startswith(Name,'a'), endswith(Name,'a') or modifiedwithin('30','minutes')"],
    ['', 'Unsupported $filter expression'],
    ["contains(Name,'a')", 'Unsupported $filter expression'],
  ];
  for (const [filter, fix] of malformed) {
    it(`refuses ${JSON.stringify(filter)} with an example of the fix`, () => {
      const error = refused(q(filter));
      assert.ok(error.includes(fix), `expected ${JSON.stringify(fix)} in: ${error}`);
    });
  }

  it('names the modifiedwithin range in its error', () => {
    assert.match(refused(q("modifiedwithin('2000','minutes')")), /from 1 to 1440/);
  });

  it('refuses a well-formed filter the collection does not allow', () => {
    assert.equal(refused(q("startswith(Name,'a')"), ['in']), '$filter startswith(...) is not supported here');
    assert.equal(refused(q("modifiedwithin('5','minutes')"), ['in', 'startswith', 'endswith']), '$filter modifiedwithin(...) is not supported here');
    assert.match(refused(q("Name in ('a')"), []), /not supported here/);
    assert.deepEqual(filterOf(q("Name in ('a')")), { kind: 'in', names: ['a'] });
  });

  it('reports a malformed filter before checking whether its kind is allowed', () => {
    assert.match(refused(q('startswith(Name,x)'), []), /needs one quoted value/);
  });
});

describe('matchesFilter', () => {
  const now = 1_700_000_000_000;
  const cases: [NameFilter | undefined, string, number, boolean][] = [
    [undefined, 'anything', 0, true],
    [{ kind: 'in', names: ['a', 'b'] }, 'a', now, true],
    [{ kind: 'in', names: ['a', 'b'] }, 'c', now, false],
    [{ kind: 'in', names: ['a', 'b'] }, 'A', now, false],
    [{ kind: 'startswith', prefix: 'dest-' }, 'dest-1', now, true],
    [{ kind: 'startswith', prefix: 'dest-' }, 'my-dest-1', now, false],
    [{ kind: 'startswith', prefix: '' }, 'x', now, true],
    [{ kind: 'endswith', suffix: '-prod' }, 'erp-prod', now, true],
    [{ kind: 'endswith', suffix: '-prod' }, 'erp-prod-2', now, false],
    [{ kind: 'modifiedwithin', minutes: 30 }, 'x', now - 30 * 60_000, true],
    [{ kind: 'modifiedwithin', minutes: 30 }, 'x', now - 30 * 60_000 - 1, false],
    [{ kind: 'modifiedwithin', minutes: 30 }, 'x', now, true],
    [{ kind: 'modifiedwithin', minutes: 1 }, 'x', now - 61_000, false],
  ];
  for (const [filter, name, modifiedAt, expected] of cases) {
    it(`${JSON.stringify(filter)} ${expected ? 'matches' : 'does not match'} ${name} modified ${now - modifiedAt} ms ago`, () => {
      assert.equal(matchesFilter(filter, name, modifiedAt, now), expected);
    });
  }

  it('applies a parsed filter end to end', () => {
    const filter = filterOf(q("Name in ('it''s','a%20b')"));
    assert.equal(matchesFilter(filter, "it's", now, now), true);
    assert.equal(matchesFilter(filter, 'a b', now, now), true);
    assert.equal(matchesFilter(filter, 'a%20b', now, now), false);
  });
});
