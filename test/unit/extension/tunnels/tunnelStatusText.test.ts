import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Config, Setting } from '../../../../src/extension/base/config';
import { tunnelStatusText } from '../../../../src/extension/tunnels/tunnelStatusText';

// The tunnel per connection in the status bar, and which tunnel a connection uses: the setting's, else the saved one.

describe('tunnel status bar words', () => {
  it('an icon and the state per connection, the mode in the tooltip, a warning while it is down', () => {
    const mode = { kind: 'cf-ssh' as const, app: 'btp-connect-tunnel' };
    assert.deepEqual(tunnelStatusText({ connection: 'dev', mode, state: 'ready' }), {
      text: '$(plug) dev: tunnel ready',
      tooltip: 'Tunnel of dev to the connectivity proxy: cf-ssh:btp-connect-tunnel, ready. Click to set it up again.',
      warning: false,
    });
    assert.equal(tunnelStatusText({ connection: 'dev', mode, state: 'reconnecting' }).text, '$(sync~spin) dev: tunnel reconnecting');
    assert.equal(tunnelStatusText({ connection: 'dev', mode, state: 'reconnecting' }).warning, true);
    assert.equal(tunnelStatusText({ connection: 'dev', mode, state: 'failed' }).text, '$(error) dev: tunnel failed');
    assert.match(
      tunnelStatusText({ connection: 'kyma', mode: { kind: 'kubectl', namespace: 'kyma-system', context: 'c1' }, state: 'idle' }).tooltip,
      /kubectl:kyma-system@c1, idle \(starts with the first forward\)/,
    );
  });

  it('the setting names a tunnel only where it has an entry, so the saved one applies elsewhere', () => {
    const config = new Config((key) => (key === Setting.tunnels ? { dev: 'kubectl:kyma-system@shoot--kyma--c-1' } : undefined));
    assert.deepEqual(config.tunnelSetting('dev'), { kind: 'kubectl', namespace: 'kyma-system', context: 'shoot--kyma--c-1' });
    assert.equal(config.tunnelSetting('other'), undefined);
    assert.deepEqual(config.tunnelMode('other'), { kind: 'direct' });
  });
});
