import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { OriginAllowList } from '../../../../src/core/forward/allowedOrigins';
import { allowedHosts, checkLocalRequest } from '../../../../src/core/forward/localRequest';

// checkLocalRequest is pure over method, target and headers: each row is one request and the verdict it must get.
function request(method: string, url: string, headers: ReadonlyArray<readonly [string, string]>): IncomingMessage {
  const lower: Record<string, string> = {};
  for (const [name, value] of headers) lower[name.toLowerCase()] = value;
  return { method, url, rawHeaders: headers.flat(), headers: lower } as unknown as IncomingMessage;
}

const port = 4004;
const hosts = allowedHosts(port);
const allowList = new OriginAllowList(['http://localhost:8080']);

type Row = readonly [label: string, method: string, url: string, headers: ReadonlyArray<readonly [string, string]>, verdict: true | 400 | 403 | 405];
const rows: readonly Row[] = [
  ['plain GET by 127.0.0.1', 'GET', '/x', [['Host', `127.0.0.1:${port}`]], true],
  ['localhost, any case', 'GET', '/', [['HOST', `LocalHost:${port}`]], true],
  ['[::1]', 'GET', '/', [['host', `[::1]:${port}`]], true],
  [
    'own origin',
    'POST',
    '/x',
    [
      ['Host', `localhost:${port}`],
      ['Origin', `http://localhost:${port}`],
    ],
    true,
  ],
  [
    'allowed dev-server origin',
    'POST',
    '/x',
    [
      ['Host', `localhost:${port}`],
      ['Origin', 'http://localhost:8080'],
    ],
    true,
  ],
  [
    'Sec-Fetch-Site same-origin',
    'GET',
    '/',
    [
      ['Host', `localhost:${port}`],
      ['Sec-Fetch-Site', 'same-origin'],
    ],
    true,
  ],
  [
    'Sec-Fetch-Site none (typed URL)',
    'GET',
    '/',
    [
      ['Host', `localhost:${port}`],
      ['Sec-Fetch-Site', 'none'],
    ],
    true,
  ],
  ['CONNECT', 'CONNECT', `example.com:443`, [['Host', 'example.com:443']], 405],
  ['absolute-form target', 'GET', 'http://example.com/', [['Host', 'example.com']], 400],
  ['asterisk-form target', 'OPTIONS', '*', [['Host', `localhost:${port}`]], 400],
  ['no Host', 'GET', '/', [], 403],
  [
    'two Host headers',
    'GET',
    '/',
    [
      ['Host', `localhost:${port}`],
      ['Host', `localhost:${port}`],
    ],
    403,
  ],
  ['another port (DNS rebinding to a sibling)', 'GET', '/', [['Host', `localhost:${port + 1}`]], 403],
  ['a rebinding name', 'GET', '/', [['Host', `attacker.example:${port}`]], 403],
  ['no port', 'GET', '/', [['Host', 'localhost']], 403],
  [
    'foreign origin',
    'POST',
    '/x',
    [
      ['Host', `localhost:${port}`],
      ['Origin', 'https://evil.example'],
    ],
    403,
  ],
  [
    'https origin of the own host',
    'POST',
    '/x',
    [
      ['Host', `localhost:${port}`],
      ['Origin', `https://localhost:${port}`],
    ],
    403,
  ],
  [
    'null origin',
    'POST',
    '/x',
    [
      ['Host', `localhost:${port}`],
      ['Origin', 'null'],
    ],
    403,
  ],
  [
    'two Origin headers',
    'POST',
    '/x',
    [
      ['Host', `localhost:${port}`],
      ['Origin', `http://localhost:${port}`],
      ['Origin', `http://localhost:${port}`],
    ],
    403,
  ],
  [
    'Sec-Fetch-Site same-site (another local app)',
    'GET',
    '/',
    [
      ['Host', `localhost:${port}`],
      ['Sec-Fetch-Site', 'same-site'],
    ],
    403,
  ],
  [
    'Sec-Fetch-Site cross-site',
    'GET',
    '/',
    [
      ['Host', `localhost:${port}`],
      ['Sec-Fetch-Site', 'Cross-Site'],
    ],
    403,
  ],
];

describe('checkLocalRequest: who may use a forward', () => {
  for (const [label, method, url, headers, verdict] of rows) {
    it(`${label} → ${verdict === true ? 'admitted' : verdict}`, () => {
      const result = checkLocalRequest(request(method, url, headers), hosts, allowList);
      if (verdict === true) assert.deepEqual(result, { ok: true });
      else {
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.status, verdict);
      }
    });
  }

  it('a refused foreign origin is named, cut to 200 characters, with the way to allow it', () => {
    const origin = `http://${'a'.repeat(300)}.example`;
    const result = checkLocalRequest(
      request('GET', '/', [
        ['Host', `localhost:${port}`],
        ['Origin', origin],
      ]),
      hosts,
    );
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.origin, origin.slice(0, 200));
    assert.match(!result.ok ? result.reason : '', /--allow-origin/);
  });

  it('without an allow list, a dev-server origin is refused', () => {
    const result = checkLocalRequest(
      request('GET', '/', [
        ['Host', `localhost:${port}`],
        ['Origin', 'http://localhost:8080'],
      ]),
      hosts,
    );
    assert.equal(result.ok, false);
  });
});
