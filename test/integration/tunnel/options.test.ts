import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isBtpError } from '../../../src/core/errors';
import { TunnelSupervisor } from '../../../src/core/tunnel/supervisor';
import { isFatalTunnelLine } from '../../../src/core/tunnel/fatalLines';
import type { TunnelOptions } from '../../../src/core/tunnel/types';
import { backoffDelay } from '../../../src/core/tunnel/backoff';
import { buildCommandLine } from '../../../src/core/tunnel/commandLine';

// The pure parts of the tunnel: option checks (nothing reaches a command line that could become an option),
// command lines per mode, backoff and kubectl's fatal lines.

const target = { host: 'connectivity-proxy.kyma-system', port: 20003 };

function invalid(options: Partial<TunnelOptions>): string[] {
  try {
    new TunnelSupervisor({ mode: { kind: 'kubectl' }, targets: [target], ...options });
  } catch (error) {
    assert.ok(isBtpError(error, ErrorCode.InvalidInput), String(error));
    return error.issues.map((issue) => `${issue.field}:${issue.problem}`);
  }
  return [];
}

describe('tunnel options', () => {
  it('accepts a plain configuration and starts nothing in the constructor', () => {
    const tunnel = new TunnelSupervisor({ mode: { kind: 'kubectl', namespace: 'kyma-system' }, targets: [target] });
    assert.equal(tunnel.state, 'idle');
    assert.deepEqual(tunnel.endpoints, []);
    assert.equal(tunnel.pid, undefined);
  });

  it('refuses values that a command line would read as options, and impossible numbers', () => {
    assert.deepEqual(invalid({ targets: [{ host: '-oProxyCommand=touch /tmp/x', port: 22 }] }), ['targets[0].host:invalid_host']);
    assert.deepEqual(invalid({ mode: { kind: 'cf-ssh', app: '--help' } }), ['mode.app:invalid_name']);
    assert.deepEqual(invalid({ mode: { kind: 'kubectl', context: '-v=9' } }), ['mode.context:invalid_name']);
    assert.deepEqual(invalid({ targets: [] }), ['targets:required']);
    assert.deepEqual(invalid({ targets: [{ host: 'proxy', port: 70_000 }] }), ['targets[0].port:invalid_port']);
    assert.deepEqual(invalid({ localPorts: [8080, 8081] }), ['localPorts:too_many']);
    assert.deepEqual(invalid({ backoff: { initialMs: 5000, maxMs: 100 } }), ['backoff:invalid_backoff']);
    assert.deepEqual(invalid({ maxRestarts: -1 }), ['maxRestarts:invalid_number']);
  });

  it('needs every {childPortN} in a custom command and no placeholder beyond the targets', () => {
    assert.deepEqual(invalid({ mode: { kind: 'command', command: 'ssh', args: ['-L', '{childPort0}:{host0}:{port0}', '{host1}'] } }), [
      'mode.args:unknown_placeholder',
    ]);
    assert.deepEqual(invalid({ mode: { kind: 'command', command: 'ssh', args: ['-N'] } }), ['mode.args:missing_placeholder']);
  });

  it('builds the command line of each mode', () => {
    const targets = [target, { ...target, port: 20004 }];
    assert.deepEqual(buildCommandLine({ kind: 'cf-ssh', app: 'proxy' }, targets, [41000, 41001]), {
      command: 'cf',
      args: [
        'ssh',
        'proxy',
        '-N',
        '-T',
        '-L',
        '127.0.0.1:41000:connectivity-proxy.kyma-system:20003',
        '-L',
        '127.0.0.1:41001:connectivity-proxy.kyma-system:20004',
      ],
    });
    assert.deepEqual(buildCommandLine({ kind: 'kubectl', kubectlCommand: '/opt/kubectl', target: 'deploy/proxy' }, targets, [41000, 41001]), {
      command: '/opt/kubectl',
      args: ['port-forward', '--address=127.0.0.1', 'deploy/proxy', '41000:20003', '41001:20004'],
    });
    assert.deepEqual(
      buildCommandLine(
        { kind: 'command', command: 'ssh', args: ['-L', '127.0.0.1:{childPort1}:{host1}:{port1}', '-L', '{childPort0}:x:{port0}'] },
        targets,
        [41000, 41001],
      ),
      {
        command: 'ssh',
        args: ['-L', '127.0.0.1:41001:connectivity-proxy.kyma-system:20004', '-L', '41000:x:20003'],
      },
    );
  });

  it('backs off 1, 2, 4 … s up to 30 s with ±20 % jitter', () => {
    const backoff = { initialMs: 1000, maxMs: 30_000, jitter: 0.2 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 40].map((attempt) => backoffDelay(attempt, backoff, () => 0.5)),
      [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000],
    );
    assert.equal(
      backoffDelay(0, backoff, () => 0),
      800,
    );
    assert.equal(
      backoffDelay(0, backoff, () => 1),
      1200,
    );
    assert.equal(
      backoffDelay(9, backoff, () => 1),
      30_000,
      'jitter never exceeds the cap',
    );
    assert.equal(
      backoffDelay(9, backoff, () => 0),
      24_000,
    );
  });

  it("recognises kubectl's fatal port-forward lines and nothing else", () => {
    for (const line of [
      'E1126 10:15:42.123456   4242 portforward.go:413] lost connection to pod',
      'E1126 10:15:42.123456   4242 portforward.go:347] error creating error stream for port 4000 -> 4000: Timeout occurred',
      'E1126 10:15:42.123456   4242 portforward.go:340] error creating forwarding stream for port 4000 -> 4000: Timeout occurred',
      'E1126 10:15:42.123456   4242 portforward.go:409] an error occurred forwarding 4000 -> 4000: error forwarding port 4000 to pod p',
    ]) {
      assert.ok(isFatalTunnelLine(line), line);
    }
    for (const line of ['Forwarding from 127.0.0.1:4000 -> 4000', 'Handling connection for 4000', 'error: unable to forward port because pod is not running']) {
      assert.ok(!isFatalTunnelLine(line), line);
    }
  });
});
