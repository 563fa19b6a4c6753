import type { SystemMapping } from '../src/sandbox/cloudConnector/types';
import { startSandbox } from '../src/sandbox/sandbox';
import { serveParent } from './ipc';
import { benchVirtual } from './shared';

// The sandbox in a process of its own: token and Destination services, connectivity proxy and the Cloud Connector,
// which in real life run in the cloud and on-premise, not in the developer's forward process.

serveParent(async ({ upstreamPort }: { upstreamPort: number }) => {
  const sandbox = await startSandbox({ portBase: 0 });
  const connector = sandbox.connectors.find((candidate) => candidate.locationId === '');
  if (!connector) throw new Error('the sandbox has no default Cloud Connector');
  const bench: SystemMapping = {
    virtualHost: benchVirtual.host,
    virtualPort: benchVirtual.port,
    localHost: '127.0.0.1',
    localPort: upstreamPort,
    protocol: 'HTTP',
    hostInHeader: 'virtual',
    authenticationMode: 'NONE',
    description: 'bench upstream',
    resources: [{ id: '/', enabled: true, exactMatchOnly: false }],
  };
  connector.setMappings([...connector.mappings, bench]);
  return {
    ready: {
      keys: { destination: sandbox.keys.destination, connectivity: sandbox.keys.connectivity },
      vcapServices: sandbox.vcapServices,
      caPem: sandbox.caPem,
    },
    handlers: { rss: () => process.memoryUsage().rss, connectorStats: () => connector.stats() },
    close: () => sandbox.close(),
  };
});
