import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyCapture } from '../../../../src/core/inspect/capture';
import { maskBodyText, maskPath, maskRawHeaders, maskSecretHeaderValue, MASK } from '../../../../src/core/inspect/mask';
import { TrafficLog } from '../../../../src/core/inspect/trafficLog';
import type { TrafficEntry } from '../../../../src/core/inspect/types';

function entry(path: string, extra: Partial<TrafficEntry> = {}): TrafficEntry {
  return { id: 0, startedAt: 0, destination: 'api', method: 'GET', path, status: 200, durationMs: 1, bytesIn: 0, bytesOut: 0, requestHeaders: [], ...extra };
}

describe('TrafficLog', () => {
  it('keeps the newest `capacity` exchanges with increasing ids, and tells listeners of each', () => {
    const log = new TrafficLog({ capacity: 3 });
    const seen: number[] = [];
    log.onDidAdd((summary) => seen.push(summary.id));
    for (let index = 0; index < 5; index++) log.add({ ...entry(`/${index}`), id: log.takeId() });
    assert.deepEqual(
      log.list().map((summary) => summary.path),
      ['/2', '/3', '/4'],
    );
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.equal(log.get(1), undefined);
    assert.equal(log.get(5)?.path, '/4');
    assert.equal('requestHeaders' in (log.list()[0] as object), false, 'the list carries summaries only');
  });

  it('bounds the body bytes it holds: the oldest exchanges lose their bodies first, and keep their rows', () => {
    const log = new TrafficLog({ capacity: 100, bodyBudget: 250 });
    const body = { size: 100, truncated: false, text: 'x'.repeat(100) };
    for (let index = 0; index < 4; index++) log.add({ ...entry(`/${index}`, { responseBody: body }), id: log.takeId() });
    assert.ok(log.heldBodyBytes <= 250, String(log.heldBodyBytes));
    assert.equal(log.size, 4);
    assert.equal(log.get(1)?.responseBody, undefined);
    assert.equal(log.get(2)?.responseBody, undefined);
    assert.equal(log.get(4)?.responseBody?.text?.length, 100);
    log.clear();
    assert.equal(log.heldBodyBytes, 0);
    assert.equal(log.size, 0);
  });

  it('records bodies only when asked, switchable while open', () => {
    const log = new TrafficLog();
    assert.equal(log.bodies, false);
    log.setBodies(true);
    assert.equal(log.bodies, true);
  });
});

describe('BodyCapture', () => {
  it('keeps the first `limit` bytes, counts them all, and says it cut', () => {
    const capture = new BodyCapture(5);
    capture.add(Buffer.from('abc'));
    capture.add(Buffer.from('defgh'));
    const result = capture.result('text/plain');
    assert.equal(result.size, 8);
    assert.equal(result.truncated, true);
    assert.equal(result.text, 'abcde');
  });

  it('cuts before a character split by the limit, and keeps binary as base64', () => {
    const capture = new BodyCapture(4);
    capture.add(Buffer.from('aä€', 'utf8')); // 1 + 2 + 3 bytes: the limit falls inside €
    assert.equal(capture.result('text/plain').text, 'aä');
    const binary = new BodyCapture(16);
    binary.add(Buffer.from([0x00, 0x01, 0xff]));
    assert.deepEqual(binary.result('application/octet-stream'), { size: 3, truncated: false, base64: 'AAH/' });
  });

  it('copies what it keeps: a reused buffer does not change the record', () => {
    const capture = new BodyCapture(8);
    const chunk = Buffer.from('abcd');
    capture.add(chunk);
    chunk.fill(0x7a);
    assert.equal(capture.result(undefined).text, 'abcd');
  });
});

describe('inspector masking', () => {
  it('masks credentials in headers, keeping only the scheme', () => {
    assert.equal(maskSecretHeaderValue('Authorization', 'Basic ZGVtbzpkZW1vLXBhc3N3b3JkLTE='), `Basic ${MASK}`);
    assert.equal(maskSecretHeaderValue('proxy-authorization', 'Bearer eyJhbGciOi.eyJzdWIi.sig'), `Bearer ${MASK}`);
    // Cookie names stay (which session is held), values never.
    assert.equal(maskSecretHeaderValue('cookie', 'JSESSIONID=abc123; SAP_SESSIONID_GW1_100=s3cr3t'), `JSESSIONID=${MASK}; SAP_SESSIONID_GW1_100=${MASK}`);
    assert.equal(maskSecretHeaderValue('x-csrf-token', 'Fetch'), MASK);
    assert.equal(maskSecretHeaderValue('accept', 'application/json'), 'application/json');
    assert.deepEqual(maskRawHeaders(['Host', '127.0.0.1:1', 'Set-Cookie', 'a=b; Path=/sap; HttpOnly']), [
      ['host', '127.0.0.1:1'],
      ['set-cookie', `a=${MASK}; Path=/sap; HttpOnly`],
    ]);
  });

  it('masks secret query values and leaves the rest of the path as it was', () => {
    assert.equal(maskPath('/a/b?access_token=xyz&q=1&password=p%20w'), `/a/b?access_token=${MASK}&q=1&password=${MASK}`);
    assert.equal(maskPath('/plain'), '/plain');
    assert.equal(maskPath('/odata?$filter=Name%20eq%20%27x%27'), '/odata?$filter=Name%20eq%20%27x%27');
  });

  it('masks secret-named values in JSON and form bodies, and tokens in other text', () => {
    const json = JSON.parse(
      maskBodyText('{"access_token":"eyJx.eyJy.z","expires_in":3600,"nested":{"password":"p"}}', 'application/json; charset=utf-8'),
    ) as Record<string, unknown>;
    assert.deepEqual(json, { access_token: MASK, expires_in: 3600, nested: { password: MASK } });
    assert.equal(
      maskBodyText('grant_type=password&username=alice&password=secret-1', 'application/x-www-form-urlencoded'),
      `grant_type=password&username=alice&password=${MASK}`,
    );
    assert.doesNotMatch(maskBodyText('token: Bearer abcdefghijklmnop1234', 'text/plain'), /abcdefghijklmnop1234/);
  });
});
