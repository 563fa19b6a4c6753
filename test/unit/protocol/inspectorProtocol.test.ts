import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GetDetails, INSPECTOR_INBOUND, matchesFilter, OpenAsHttp, SetBodies, type TrafficSummary } from '../../../src/protocol/inspectorProtocol';

const row = (extra: Partial<TrafficSummary>): TrafficSummary => ({
  id: 1,
  startedAt: 0,
  destination: 'erp',
  method: 'GET',
  path: '/sap/opu/odata/Orders',
  status: 200,
  durationMs: 1,
  bytesIn: 0,
  bytesOut: 0,
  ...extra,
});

describe('inspector filter', () => {
  it('matches status classes, exact statuses, methods, errors and path or destination parts; all words must match', () => {
    assert.equal(matchesFilter(row({ status: 404 }), '4xx'), true);
    assert.equal(matchesFilter(row({ status: 404 }), '5xx'), false);
    assert.equal(matchesFilter(row({ status: 404 }), '404'), true);
    assert.equal(matchesFilter(row({ status: 404 }), '403'), false);
    assert.equal(matchesFilter(row({ method: 'POST' }), 'post'), true);
    assert.equal(matchesFilter(row({ method: 'POST' }), 'GET'), false);
    assert.equal(matchesFilter(row({ status: 502, error: 'BTP_UPSTREAM_FAILED' }), 'error'), true);
    assert.equal(matchesFilter(row({ status: 200 }), 'error'), false);
    assert.equal(matchesFilter(row({}), 'ORDERS'), true);
    assert.equal(matchesFilter(row({}), 'erp odata'), true);
    assert.equal(matchesFilter(row({}), 'erp invoices'), false);
    assert.equal(matchesFilter(row({}), '   '), true);
  });
});

describe('inspector messages from the webview', () => {
  it('accept only well-formed payloads', () => {
    assert.equal(GetDetails.params({ id: 3 }, 'params'), undefined);
    assert.match(GetDetails.params({ id: '3' }, 'params') ?? '', /expected an integer/);
    assert.match(GetDetails.params({ id: 3, path: '/etc/passwd' }, 'params') ?? '', /not expected/);
    assert.match(OpenAsHttp.params({ ids: Array.from({ length: 10_001 }, (_, index) => index) }, 'params') ?? '', /more than 10000 items/);
    assert.match(SetBodies.params({ on: 'yes' }, 'params') ?? '', /expected a boolean/);
    assert.equal(new Set(INSPECTOR_INBOUND.map((type) => type.method)).size, INSPECTOR_INBOUND.length);
  });
});
