import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { destTargetOf } from '../../../../src/core/forward/destHost';
import { readContract } from '../../../../src/core/forward/transparentContract';

// The two parsers in front of the one-port forward's exception to AC-07 and its header contract.

describe('destTargetOf', () => {
  it('takes http://<name>.dest[:port] with the rest in origin form', () => {
    assert.deepEqual(destTargetOf('http://My_Api-1.dest/a/b?c=1'), { name: 'My_Api-1', authority: 'my_api-1.dest', path: '/a/b?c=1' });
    assert.deepEqual(destTargetOf('HTTP://api.DEST:8080'), { name: 'api', authority: 'api.dest:8080', path: '/' });
    assert.deepEqual(destTargetOf('http://api.dest?x=1'), { name: 'api', authority: 'api.dest', path: '/?x=1' });
  });

  it('whatever the input, a result names a valid destination and keeps the path below the root', () => {
    const piece = fc.constantFrom(
      'http://',
      'HTTP://',
      'https://',
      'api',
      '.dest',
      '.DEST',
      ':',
      '80',
      '99999',
      '@',
      '/',
      '?',
      '#',
      '%2e',
      '.',
      '..',
      'evil.example',
      '[::1]',
      ' ',
      '\\\\',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 10 }), (parts) => {
        const url = parts.join('');
        const target = destTargetOf(url);
        if (target === undefined) return;
        assert.match(target.name, /^[A-Za-z0-9_-]{1,200}$/);
        assert.ok(url.toLowerCase().startsWith(`http://${target.authority}`), url);
        assert.match(target.authority, /^[a-z0-9_-]+\.dest(:\d{1,5})?$/);
        assert.ok(target.path.startsWith('/'), url);
        assert.ok(!target.path.includes('#'), url);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('readContract', () => {
  it('reads every honoured header, removes it, and keys resolutions by what was asked', () => {
    const headers: Record<string, string> = {
      'x-fragment-name': 'a, b',
      'x-destination-level': 'instance',
      'x-tenant-id': 'zone-1',
      'x-refresh-token': 'rt',
      accept: 'x',
    };
    const read = readContract(headers, Object.entries(headers).flat());
    assert.ok(read.ok);
    assert.deepEqual(read.request.find, { fragmentName: 'a,b', level: 'instance', refreshToken: 'rt' });
    assert.deepEqual(read.request.tenant, { zid: 'zone-1' });
    assert.doesNotMatch(read.request.key, /rt/);
    assert.deepEqual(Object.keys(headers), ['accept']);
    const none = readContract({ accept: 'x' }, ['accept', 'x']);
    assert.ok(none.ok);
    assert.equal(none.request.key, '');
  });

  it('refuses a header sent twice, even when Node joined the values', () => {
    const read = readContract({ 'x-fragment-name': 'a, b' }, ['X-Fragment-Name', 'a', 'x-fragment-name', 'b']);
    assert.equal(read.ok, false);
    assert.equal(!read.ok && read.status, 400);
  });
});
