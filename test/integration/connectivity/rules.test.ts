import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkHttpAccess, checkTcpAccess, rewriteLocation } from '../../../src/sandbox/cloudConnector/accessControl';
import { backoffDelay } from '../../../src/sandbox/cloudConnector/backoff';
import type { SystemMapping } from '../../../src/sandbox/cloudConnector/types';
import { encodeProxyHeader, parseProxyHeader } from '../../../src/sandbox/onPremise/gate/proxyProtocol';

// The pure rules behind the Cloud Connector: spec §6 matching tables, Location rewriting, backoff, PROXY v2.

const http = (virtualHost: string, localPort: number, resources: SystemMapping['resources'] = [], protocol: 'HTTP' | 'HTTPS' = 'HTTP'): SystemMapping => ({
  virtualHost,
  virtualPort: 80,
  localHost: 'backend.corp',
  localPort,
  protocol,
  resources,
});

describe('Cloud Connector rules', () => {
  it('matches resources per spec §6: exact = equality without query, sub-paths = plain prefix, case-sensitive, enabled only', () => {
    const mappings = [
      http('sys.virtual', 1, [
        { id: '/a', enabled: true, exactMatchOnly: true },
        { id: '/p', enabled: true, exactMatchOnly: false },
        { id: '/off', enabled: false },
        { id: '/ws', enabled: true, websocketUpgradeAllowed: true },
      ]),
    ];
    const table: [string, boolean][] = [
      ['/a', true],
      ['/a?x=1', true],
      ['/a/b', false],
      ['/ab', false],
      ['/A', false],
      ['/p', true],
      ['/p/b', true],
      ['/pb', true],
      ['/P/b', false],
      ['/off', false],
      ['/', false],
    ];
    for (const [path, allowed] of table) assert.equal(checkHttpAccess(mappings, 'SYS.virtual', 80, path).allowed, allowed, path);
    assert.equal(checkHttpAccess(mappings, 'sys.virtual', 81, '/a').allowed, false);
    assert.deepEqual(checkHttpAccess(mappings, 'sys.virtual', 80, '/p', true), { allowed: false, reason: 'websocket', mapping: mappings[0] });
    assert.equal(checkHttpAccess(mappings, 'sys.virtual', 80, '/ws/chat', true).allowed, true);
    assert.equal(checkTcpAccess(mappings, 'sys.virtual', 80).allowed, false);
  });

  it('rewrites Location from an internal origin to the first matching mapping, and leaves others alone', () => {
    const mappings = [http('first.virtual', 8080), http('second.virtual', 8080), http('tls.virtual', 443, [], 'HTTPS')];
    assert.equal(rewriteLocation('http://backend.corp:8080/x?y=1#z', mappings), 'http://first.virtual:80/x?y=1#z');
    assert.equal(rewriteLocation('https://BACKEND.corp/login', mappings), 'http://tls.virtual:80/login');
    assert.equal(rewriteLocation('https://backend.corp:8080/x', mappings), 'https://backend.corp:8080/x');
    assert.equal(rewriteLocation('http://elsewhere.example/x', mappings), 'http://elsewhere.example/x');
    assert.equal(rewriteLocation('/relative/path', mappings), '/relative/path');
    assert.equal(rewriteLocation('ftp://backend.corp:8080/', mappings), 'ftp://backend.corp:8080/');
  });

  it('backs off by doubling from initialMs, capped at maxMs, with at most 20 % jitter', () => {
    const policy = { initialMs: 100, maxMs: 1_000 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 50].map((attempt) => backoffDelay(attempt, policy, () => 0)),
      [100, 200, 400, 800, 1000, 1000, 1000],
    );
    assert.deepEqual(
      [0, 4].map((attempt) => backoffDelay(attempt, policy, () => 1)),
      [80, 800],
    );
  });

  it('PROXY v2 header round trip, with incomplete, absent and invalid input', () => {
    const header = encodeProxyHeader({ user: 'jürgen', authority: 'db.virtual:5432' });
    assert.deepEqual(header.subarray(0, 12), Buffer.from('0d0a0d0a000d0a515549540a', 'hex'));
    const parsed = parseProxyHeader(Buffer.concat([header, Buffer.from('PING\n')]));
    assert.deepEqual(parsed, { kind: 'header', length: header.length, info: { user: 'jürgen', authority: 'db.virtual:5432' } });
    for (let cut = 1; cut < header.length; cut++) assert.equal(parseProxyHeader(header.subarray(0, cut)).kind, 'incomplete', `cut at ${cut}`);
    assert.equal(parseProxyHeader(Buffer.from('PING\r\n')).kind, 'absent');
    assert.equal(parseProxyHeader(Buffer.from('\r\nPING')).kind, 'absent');
    const badVersion = Buffer.from(header);
    badVersion[12] = 0x11;
    assert.equal(parseProxyHeader(badVersion).kind, 'invalid');
    const badTlv = Buffer.from(header);
    badTlv.writeUInt16BE(0xffff, 17);
    assert.equal(parseProxyHeader(badTlv).kind, 'invalid');
  });
});
