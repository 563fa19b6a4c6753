import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { formatTunnelMode, parseTunnelMode } from '../../../../src/core/tunnel/tunnelMode';
import type { TunnelMode } from '../../../../src/core/tunnel/types';

describe('parseTunnelMode / formatTunnelMode', () => {
  const table: ReadonlyArray<[string, TunnelMode]> = [
    ['direct', { kind: 'direct' }],
    ['cf-ssh:my-app', { kind: 'cf-ssh', app: 'my-app' }],
    ['cf-ssh:app:with:colons', { kind: 'cf-ssh', app: 'app:with:colons' }],
    ['kubectl', { kind: 'kubectl' }],
    ['kubectl:conn', { kind: 'kubectl', namespace: 'conn' }],
    ['kubectl@kind-dev', { kind: 'kubectl', context: 'kind-dev' }],
    ['kubectl:conn@kubernetes-admin@kubernetes', { kind: 'kubectl', namespace: 'conn', context: 'kubernetes-admin@kubernetes' }],
  ];
  for (const [text, mode] of table) {
    it(`${text} parses and formats back`, () => {
      assert.deepEqual(parseTunnelMode(text), mode);
      assert.equal(formatTunnelMode(mode), text);
    });
  }

  const bad = ['', 'direct:x', 'cf-ssh', 'cf-ssh:', 'ssh:app', 'kubectl:', 'kubectl@', 'Direct', 'command:ls'];
  for (const text of bad) {
    it(`"${text}" is refused naming --tunnel`, () => {
      assert.throws(
        () => parseTunnelMode(text),
        (error) => isBtpError(error) && error.code === ErrorCode.InvalidInput && error.field === 'tunnel' && error.message.includes(`"${text}"`),
      );
    });
  }
});
