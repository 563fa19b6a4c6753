import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TunnelSupervisor } from '../../../src/core/tunnel/supervisor';
import { fakeEnv } from '../../support/tunnelHarness';

// Run by processHygiene.test.ts as its own process (node --import tsx): starts three kubectl tunnels, prints
// the pids of their children as one JSON line and then waits to be killed. Arguments come from the environment:
// ORPHAN_DIR, ORPHAN_ECHO_PORT, ORPHAN_LIVENESS_PORT and ORPHAN_MARKER (a kubectl context name to find them by).

async function main(): Promise<void> {
  const root = process.env.ORPHAN_DIR ?? '';
  const tunnels = [0, 1, 2].map((index) => {
    const dir = join(root, `tunnel${index}`);
    mkdirSync(dir, { recursive: true });
    return new TunnelSupervisor({
      mode: { kind: 'kubectl', context: process.env.ORPHAN_MARKER ?? '' },
      targets: [{ host: 'connectivity-proxy', port: Number(process.env.ORPHAN_ECHO_PORT) }],
      env: fakeEnv(dir, { FAKE_LIVENESS_PORT: process.env.ORPHAN_LIVENESS_PORT ?? '' }),
    });
  });
  await Promise.all(tunnels.map((tunnel) => tunnel.start()));
  process.stdout.write(`${JSON.stringify({ pids: tunnels.map((tunnel) => tunnel.pid), endpoints: tunnels.map((tunnel) => tunnel.endpoints[0]) })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
