import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCredentials } from '../../../../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../../../../src/core/bindings/types';
import { ConnectionStore } from '../../../../src/core/connections/connectionStore';
import { readSavedTunnel, type SavedTunnel } from '../../../../src/core/connections/savedTunnel';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { MemorySecretStore } from '../../../support/memorySecretStore';
import { formatTunnelMode, parseTunnelMode } from '../../../../src/core/tunnel/tunnelMode';
import { CANARY_SECRET, destinationKey } from '../../../support/bindingFixtures';

// The tunnel a setup saves: the text form of modes (--tunnel, the setting) and the record in connections.json.

describe('tunnel modes as text', () => {
  it('reads kubectl with a namespace and a context, a context alone, and writes each back the same', () => {
    const cases: [string, unknown][] = [
      ['direct', { kind: 'direct' }],
      ['cf-ssh:btp-connect-tunnel', { kind: 'cf-ssh', app: 'btp-connect-tunnel' }],
      ['kubectl', { kind: 'kubectl' }],
      ['kubectl:kyma-system', { kind: 'kubectl', namespace: 'kyma-system' }],
      ['kubectl:kyma-system@shoot--kyma--c-4f2a1b', { kind: 'kubectl', namespace: 'kyma-system', context: 'shoot--kyma--c-4f2a1b' }],
      ['kubectl@kubernetes-admin@kubernetes', { kind: 'kubectl', context: 'kubernetes-admin@kubernetes' }],
      [
        'kubectl:kyma-system@arn:aws:eks:eu-central-1:1234:cluster/dev',
        { kind: 'kubectl', namespace: 'kyma-system', context: 'arn:aws:eks:eu-central-1:1234:cluster/dev' },
      ],
    ];
    for (const [text, mode] of cases) {
      assert.deepEqual(parseTunnelMode(text), mode, text);
      assert.equal(formatTunnelMode(parseTunnelMode(text)), text);
    }
  });

  it('refuses what is none of them, naming the forms', () => {
    for (const text of ['teleport', 'cf-ssh:', 'kubectl:', 'kubectl@', 'direct:x']) {
      assert.throws(
        () => parseTunnelMode(text),
        (error: unknown) => isBtpError(error, ErrorCode.InvalidInput) && /kubectl\[:<namespace>\]\[@<context>\]/.test(error.message),
        text,
      );
    }
  });
});

describe('saved tunnels in connections.json', () => {
  const binding = () => parseCredentials(destinationKey(), { expected: 'destination' }) as DestinationBinding;
  const tunnel: SavedTunnel = {
    mode: { kind: 'cf-ssh', app: 'btp-connect-tunnel' },
    createdApp: {
      api: 'https://api.cf.eu10.hana.ondemand.com',
      org: 'my-org',
      space: 'dev',
      spaceGuid: 's-1',
      app: 'btp-connect-tunnel',
      appGuid: 'a-1',
      serviceInstance: 'my-connectivity',
      createdAt: '2025-01-01T00:00:00.000Z',
    },
    savedAt: '2025-01-01T00:00:00.000Z',
  };

  it('saves, reads back, survives reconnecting with new keys, and goes with the connection; no secret in the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'btp-saved-tunnel-'));
    try {
      const store = new ConnectionStore(new MemorySecretStore(), dir);
      await store.add('dev', { destination: binding() });
      assert.equal(await store.tunnel('dev'), undefined);
      await store.setTunnel('dev', tunnel);
      assert.deepEqual(await store.tunnel('dev'), tunnel);
      await store.add('dev', { destination: binding() }, { replace: true });
      assert.deepEqual(await store.tunnel('dev'), tunnel);
      const text = await readFile(join(dir, 'connections.json'), 'utf8');
      assert.ok(!text.includes(CANARY_SECRET));
      await store.setTunnel('dev', undefined);
      assert.equal(await store.tunnel('dev'), undefined);
      await assert.rejects(store.setTunnel('nope', tunnel), (error: unknown) => isBtpError(error, ErrorCode.ConnectionNotFound));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('drops a malformed record instead of failing', () => {
    assert.equal(readSavedTunnel({ savedAt: 'x', mode: { kind: 'command', command: 'rm' } }), undefined);
    assert.equal(readSavedTunnel({ mode: { kind: 'cf-ssh', app: 'a' } }), undefined);
    assert.deepEqual(readSavedTunnel({ savedAt: 'x', mode: { kind: 'kubectl', namespace: 'kyma-system', context: 5 } }), {
      savedAt: 'x',
      mode: { kind: 'kubectl', namespace: 'kyma-system' },
    });
  });
});
