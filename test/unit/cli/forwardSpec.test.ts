import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpec } from '../../../src/cli/forwardSpec';
import { ErrorCode, isBtpError } from '../../../src/core/errors';

describe('parseSpec: <destination>[:<port>]', () => {
  const good: ReadonlyArray<[string, { name: string; port: number }]> = [
    ['erp', { name: 'erp', port: 0 }],
    ['erp:8080', { name: 'erp', port: 8080 }],
    ['onprem-erp_basic:0', { name: 'onprem-erp_basic', port: 0 }],
    ['*:4004', { name: '*', port: 4004 }],
    ['x:65535', { name: 'x', port: 65535 }],
    [`${'a'.repeat(200)}:1`, { name: 'a'.repeat(200), port: 1 }],
  ];
  for (const [text, expected] of good)
    it(`${text.slice(0, 20)} → ${expected.name.slice(0, 20)}:${expected.port}`, () => assert.deepEqual(parseSpec(text), expected));

  const bad = ['', ':8080', 'erp:', 'erp:65536', 'erp:123456', 'erp:-1', 'erp:80:81', 'e r p', 'erp/x', '**', 'a'.repeat(201), 'erp:８０'];
  for (const text of bad) {
    it(`"${text.slice(0, 20)}" is refused naming the field`, () => {
      assert.throws(
        () => parseSpec(text),
        (error) => isBtpError(error) && error.code === ErrorCode.InvalidInput && error.field === 'name' && error.message.includes('<destination>[:<port>]'),
      );
    });
  }
});
