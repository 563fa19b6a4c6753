import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DestinationRecord } from '../../../../src/core/destinationService/types';
import type { Resolved } from '../../../../src/core/forward/resolver';
import { rewriteLocation, routeOf, upstreamPath } from '../../../../src/core/forward/route';

function resolved(destination: Record<string, string>, authHeader?: { key: string; value: string }): Resolved {
  return {
    name: destination.Name ?? 'd',
    destination: destination as unknown as DestinationRecord,
    certificates: [],
    ...(authHeader ? { authHeader } : {}),
    refreshAt: Number.MAX_SAFE_INTEGER,
  };
}

describe('routeOf: what a destination says about every request', () => {
  it('target, base path, defaults, queries, auth and OnPremise routing', () => {
    const route = routeOf(
      resolved(
        {
          Name: 'erp',
          Type: 'HTTP',
          URL: 'http://erp.virtual:8000/sap/opu/?sap-language=EN',
          ProxyType: 'OnPremise',
          CloudConnectorLocationId: 'loc1',
          'URL.headers.X-Tenant': 't1',
          'URL.queries.sap-client': '100',
        },
        { key: 'Authorization', value: 'Basic c2VjcmV0' },
      ),
    );
    assert.equal(route.target.href, 'http://erp.virtual:8000/sap/opu/?sap-language=EN');
    assert.equal(route.basePath, '/sap/opu');
    assert.equal(route.baseQuery, 'sap-language=EN');
    assert.deepEqual(route.defaults, { 'x-tenant': 't1' });
    assert.deepEqual(route.queries, [['sap-client', '100']]);
    assert.deepEqual(route.auth, ['authorization', 'Basic c2VjcmV0']);
    assert.equal(route.onPremise, true);
    assert.equal(route.locationId, 'loc1');
  });

  it('is worked out once per resolution', () => {
    const one = resolved({ Name: 'a', Type: 'HTTP', URL: 'https://a.example', ProxyType: 'Internet' });
    assert.equal(routeOf(one), routeOf(one));
    assert.notEqual(routeOf(one), routeOf(resolved({ Name: 'a', Type: 'HTTP', URL: 'https://a.example', ProxyType: 'Internet' })));
  });
});

describe('upstreamPath: destination path + local path, then the queries in order', () => {
  const table: ReadonlyArray<[destinationUrl: string, queries: Record<string, string>, local: string, upstream: string]> = [
    ['https://a.example', {}, '/x', '/x'],
    ['https://a.example/', {}, '/x?y=1', '/x?y=1'],
    ['https://a.example/base/', {}, '/x', '/base/x'],
    ['https://a.example/base', {}, '/', '/base/'],
    ['https://a.example/base?d=1', {}, '/x?l=2', '/base/x?d=1&l=2'],
    ['https://a.example', { 'URL.queries.sap-client': '100' }, '/x', '/x?sap-client=100'],
    ['https://a.example', { 'URL.queries.sap-client': '100' }, '/x?sap-client=200', '/x?sap-client=200'],
    ['https://a.example?d=1', { 'URL.queries.q': 'v w' }, '/x?l=2', '/x?d=1&l=2&q=v+w'],
    ['https://a.example/b', {}, '/x;v=0002/y', '/b/x;v=0002/y'],
  ];
  for (const [url, queries, local, upstream] of table) {
    it(`${url} + ${local} → ${upstream}`, () => {
      const route = routeOf(resolved({ Name: 'a', Type: 'HTTP', URL: url, ProxyType: 'Internet', ...queries }));
      assert.equal(upstreamPath(route, local), upstream);
    });
  }
});

describe('rewriteLocation: redirects on the destination origin come back to the forward', () => {
  const route = routeOf(resolved({ Name: 'a', Type: 'HTTP', URL: 'https://a.example/base', ProxyType: 'Internet', 'URL.queries.apikey': 'k3y' }));
  const table: ReadonlyArray<[location: string, rewritten: string]> = [
    ['/base/login?x=1', 'http://localhost:4004/login?x=1'],
    ['https://a.example/base/p#f', 'http://localhost:4004/p#f'],
    ['https://a.example/other', 'http://localhost:4004/other'],
    ['relative/path', 'http://localhost:4004/relative/path'],
    ['https://idp.example/login?next=1', 'https://idp.example/login?next=1'],
    ['https://a.example/base/x?apikey=k3y&y=2', 'http://localhost:4004/x?y=2'],
  ];
  for (const [location, rewritten] of table) {
    it(`${location} → ${rewritten}`, () => assert.equal(rewriteLocation({ location }, route, 'localhost:4004').location, rewritten));
  }

  it('no Location: the headers are returned as they are', () => {
    const headers = { 'content-type': 'text/plain' };
    assert.equal(rewriteLocation(headers, route, 'localhost:4004'), headers);
  });
});
