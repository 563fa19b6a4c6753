import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding } from '../../../src/core/bindings/types';
import { ConnectivityAccess } from '../../../src/core/connectivity/connectivityAccess';
import { connectivityTunnelOptions, tunnelEndpoints } from '../../../src/core/connectivity/tunnelEndpoints';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { TunnelSupervisor } from '../../../src/core/tunnel/supervisor';
import { listeningSocketsOfThisProcess } from '../../support/listeningSockets';
import { startSandboxFixture } from '../../support/sandboxFixture';

// The whole product in one process — sandbox, HTTP and TCP forwards (Internet and OnPremise), and a tunnel with
// its own local ports — and not one listener on anything but loopback, as the kernel reports them.

const fakeBin = join(__dirname, '..', '..', 'support', 'fakeBin');

describe('listeners', () => {
  it('every listener of sandbox, forwards and tunnel is bound to 127.0.0.1', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
    const before = new Set((await listeningSocketsOfThisProcess()).map((item) => `${item.address}:${item.port}`));
    const f = await startSandboxFixture();
    const binding = parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding;
    const tunnel = new TunnelSupervisor(
      connectivityTunnelOptions(
        binding,
        { kind: 'kubectl', kubectlCommand: join(fakeBin, 'kubectl') },
        { env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH ?? ''}` } },
      ),
    );
    await tunnel.start();
    const connectivity = new ConnectivityAccess(binding, f.agents, tunnelEndpoints(tunnel));
    const manager = new ForwardManager({ client: f.client, connectivity, tunnel });
    try {
      const forwards = await Promise.all(['internet-basic', 'onprem-erp-basic', 'onprem-tcp-db'].map((destination) => manager.start({ destination })));
      forwards.push(await manager.start({ destination: 'internet-basic', kind: 'tcp' }));
      const opened = (await listeningSocketsOfThisProcess()).filter((item) => !before.has(`${item.address}:${item.port}`));
      const ports = new Set(opened.map((item) => item.port));
      for (const forward of forwards) assert.ok(ports.has(forward.port), `forward ${forward.destination} on ${forward.port}`);
      for (const endpoint of tunnel.endpoints) assert.ok(ports.has(endpoint.port), `tunnel port ${endpoint.port}`);
      assert.ok(opened.length >= 10 + forwards.length + tunnel.endpoints.length, JSON.stringify(opened));
      assert.deepEqual(
        opened.filter((item) => item.address !== '127.0.0.1'),
        [],
      );
    } finally {
      await manager.dispose();
      await connectivity.close();
      await tunnel.stop();
      await f.close();
    }
  });
});
