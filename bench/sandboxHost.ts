import type { SystemMapping } from '../src/sandbox/cloudConnector/types';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox';
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
    handlers: { rss: () => process.memoryUsage().rss, connectorStats: () => connector.stats(), userToken: () => userToken(sandbox) },
    close: () => sandbox.close(),
  };
});

/** A provider user's access token (alice, password grant on the sandbox's own client): the WAN scenario's user JWT. */
async function userToken(sandbox: Sandbox): Promise<string> {
  const world = sandbox.identity.world;
  const tenant = world.provider;
  const user = world.user(tenant.id, 'alice');
  if (!user) throw new Error('the sandbox has no user alice');
  const app = sandbox.keys.xsuaa;
  const response = await fetch(`${sandbox.endpoints.tokenServiceUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'x-zid': tenant.id },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: String(app.clientid),
      client_secret: String(app.clientsecret),
      username: user.userName,
      password: user.password,
    }).toString(),
  });
  if (response.status !== 200) throw new Error(`user token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
