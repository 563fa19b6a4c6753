import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpec, parseSpecs } from '../../../src/cli/forwardSpec';
import { ErrorCode, isBtpError } from '../../../src/core/errors';

describe('parseSpec: <destination>[+<fragment>][:<port>]', () => {
  const good: ReadonlyArray<[string, { name: string; fragment?: string; port: number }]> = [
    ['erp', { name: 'erp', port: 0 }],
    ['erp:8080', { name: 'erp', port: 8080 }],
    ['onprem-erp_basic:0', { name: 'onprem-erp_basic', port: 0 }],
    ['*:4004', { name: '*', port: 4004 }],
    ['x:65535', { name: 'x', port: 65535 }],
    [`${'a'.repeat(200)}:1`, { name: 'a'.repeat(200), port: 1 }],
    ['my-api+my_fragment', { name: 'my-api', fragment: 'my_fragment', port: 0 }],
    ['my-api+slow-backend:8080', { name: 'my-api', fragment: 'slow-backend', port: 8080 }],
    [`a+${'f'.repeat(200)}`, { name: 'a', fragment: 'f'.repeat(200), port: 0 }],
  ];
  for (const [text, expected] of good)
    it(`${text.slice(0, 24)} → ${expected.name.slice(0, 20)}${expected.fragment ? `+${expected.fragment.slice(0, 12)}` : ''}:${expected.port}`, () =>
      assert.deepEqual(parseSpec(text), expected));

  const bad = [
    '',
    ':8080',
    'erp:',
    'erp:65536',
    'erp:123456',
    'erp:-1',
    'erp:80:81',
    'e r p',
    'erp/x',
    '**',
    'a'.repeat(201),
    'erp:８０',
    'erp+',
    '+frag',
    'erp+a+b',
    'erp+f:',
    'erp:80+f',
    'erp+f.x',
    `erp+${'f'.repeat(201)}`,
  ];
  for (const text of bad) {
    it(`"${text.slice(0, 20)}" is refused naming the field`, () => {
      assert.throws(
        () => parseSpec(text),
        (error) =>
          isBtpError(error) && error.code === ErrorCode.InvalidInput && error.field === 'name' && error.message.includes('<destination>[+<fragment>][:<port>]'),
      );
    });
  }
});

describe('parseSpecs: positionals with --all, --port and --fragment', () => {
  it('--fragment goes into the one destination, --port too', () => {
    assert.deepEqual(parseSpecs(['my-api'], { all: false, fragment: 'f1', port: '8080' }), [{ name: 'my-api', fragment: 'f1', port: 8080 }]);
  });
  it('several destinations keep their own fragments and ports', () => {
    assert.deepEqual(parseSpecs(['a+f:1', 'b', 'c+g'], { all: false }), [
      { name: 'a', fragment: 'f', port: 1 },
      { name: 'b', port: 0 },
      { name: 'c', fragment: 'g', port: 0 },
    ]);
  });
  it('--all comes first on --port, next to named forwards', () => {
    assert.deepEqual(parseSpecs(['a+f'], { all: true, port: '4004' }), [
      { name: '*', port: 4004 },
      { name: 'a', fragment: 'f', port: 0 },
    ]);
  });
  const refused: ReadonlyArray<[string, readonly string[], { all: boolean; port?: string; fragment?: string }, string]> = [
    ['--fragment with two destinations', ['a', 'b'], { all: false, fragment: 'f' }, 'fragment'],
    ['--fragment with none', [], { all: false, fragment: 'f' }, 'fragment'],
    ['--fragment with --all', ['a'], { all: true, fragment: 'f' }, 'fragment'],
    ['--fragment over a spec that has one', ['a+g'], { all: false, fragment: 'f' }, 'fragment'],
    ['--fragment that is no name', ['a'], { all: false, fragment: 'f.x' }, 'name'],
    ['a fragment for all destinations', ['*+f'], { all: false }, 'fragment'],
    ['--port with two destinations', ['a', 'b'], { all: false, port: '1' }, 'port'],
    ['--port over a spec with a port', ['a:2'], { all: false, port: '1' }, 'port'],
  ];
  for (const [title, positionals, options, field] of refused) {
    it(`${title} is refused naming ${field}`, () => {
      assert.throws(
        () => parseSpecs(positionals, options),
        (error) => isBtpError(error) && error.code === ErrorCode.InvalidInput && error.field === field,
      );
    });
  }
});
