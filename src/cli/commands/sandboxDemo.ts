import { parseCredentials } from '../../core/bindings/parseCredentials';
import type { ConnectivityBinding, DestinationBinding } from '../../core/bindings/types';
import { ConnectivityAccess } from '../../core/connectivity/connectivityAccess';
import { DestinationServiceClient } from '../../core/destinationService/client';
import { HttpAgents } from '../../core/http/agents';
import type { Logger } from '../../core/log';
import { ForwardManager, type ForwardInfo } from '../../core/forward/forwardManager';
import type { Sandbox } from '../../sandbox/sandbox';

/** Forwards the demo shows next to the sandbox: what a developer's own code would use. */
export const demoForwards = [
  { destination: 'onprem-erp-basic', offset: 10, what: 'OnPremise HTTP: connectivity proxy → Cloud Connector → on-premise ERP' },
  { destination: 'onprem-tcp-db', offset: 11, what: 'OnPremise TCP: SOCKS5 → Cloud Connector → on-premise line service' },
  { destination: 'internet-oauth-cc', offset: 12, what: 'Internet HTTP with an OAuth token injected' },
] as const;

export interface DemoForwards {
  readonly forwards: readonly (ForwardInfo & { readonly what: string })[];
  close(): Promise<void>;
}

/** Starts the demo forwards with the sandbox's own service keys, as a developer's machine would. */
export async function startDemoForwards(sandbox: Sandbox, portBase: number, logger: Logger): Promise<DemoForwards> {
  const agents = new HttpAgents({ extraCaPem: sandbox.caPem });
  const destination = parseCredentials(sandbox.keys.destination, { expected: 'destination' }) as DestinationBinding;
  const connectivity = new ConnectivityAccess(parseCredentials(sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding, agents);
  const manager = new ForwardManager({ client: new DestinationServiceClient({ binding: destination, agents }), connectivity, logger: logger.child('forward') });
  const close = async () => {
    await manager.dispose();
    await connectivity.close();
    await agents.close();
  };
  try {
    const forwards = [];
    for (const demo of demoForwards) {
      const info = await manager.start({
        destination: demo.destination,
        port: portBase ? portBase + demo.offset : 0,
        allowWebSocket: demo.destination === 'onprem-erp-basic',
      });
      forwards.push({ ...info, what: demo.what });
    }
    return { forwards, close };
  } catch (error) {
    await close();
    throw error;
  }
}
