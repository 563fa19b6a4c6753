import { parseCredentials } from '../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding } from '../../src/core/bindings/types';
import { ConnectivityAccess } from '../../src/core/connectivity/connectivityAccess';
import { ForwardManager, type ForwardInfo } from '../../src/core/forward/forwardManager';
import { startSandboxFixture, type SandboxFixture } from './sandboxFixture';

export interface SandboxForward {
  readonly f: SandboxFixture;
  readonly manager: ForwardManager;
  readonly forward: ForwardInfo;
  close(): Promise<void>;
}

/** A sandbox and one forward of `destination` through its connectivity proxy, as a client's tests need them. */
export async function startSandboxForward(destination: string): Promise<SandboxForward> {
  const f = await startSandboxFixture();
  const connectivity = new ConnectivityAccess(parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding, f.agents);
  const manager = new ForwardManager({ client: f.client, connectivity });
  const forward = await manager.start({ destination });
  return {
    f,
    manager,
    forward,
    async close() {
      await manager.dispose();
      await connectivity.close();
      await f.close();
    },
  };
}
