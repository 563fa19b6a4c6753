import { loadBindingsFromEnv } from '../src/core/bindings/env';
import { selectBinding } from '../src/core/bindings/select';
import { tenantClients } from '../src/core/forward/tenantClients';
import { HttpAgents } from '../src/core/http/agents';
import { silentLogger } from '../src/core/log';
import { LiveConnection } from '../src/extension/connections/liveConnection';
import { serveParent } from './ipc';

// The extension's side of "Forward" on a destination of the tree, in a process of its own: the connection as
// ConnectionRegistry opens a saved one (LiveConnection, the runtime the CLI shares), built from the bench's delayed
// VCAP_SERVICES as `--vcap` reads it, with the subaccount's destinations listed as expanding the tree lists them.
// The extension host runs with V8's defaults, so this process does not call tuneForForwarding().

export interface TreeForwardArgs {
  /** VCAP_SERVICES text (over IPC: it holds the sandbox's client secrets). */
  readonly vcap: string;
  readonly destination: string;
}

/** "listed": how many destinations the subaccount level showed. */
export interface TreeForwardReady {
  readonly listed: number;
}

serveParent(async (args: TreeForwardArgs) => {
  const where = 'the bench VCAP_SERVICES';
  const bindings = await loadBindingsFromEnv({ VCAP_SERVICES: args.vcap });
  const destination = selectBinding(bindings, 'destination', undefined, where);
  const connectivity = selectBinding(bindings, 'connectivity', undefined, where);
  // The window's network: direct, Node's CAs (the extension builds it from VS Code's proxy settings at activation).
  const agents = new HttpAgents();
  // No local token (the CLI rows run with --local-token off) and no user secret store (a VCAP connection has none).
  const connection = LiveConnection.fromBindings(
    'bench-wan',
    'saved',
    { destination, connectivity },
    {
      agents,
      tunnelMode: { kind: 'direct' },
      logger: silentLogger,
      network: () => agents.network,
      clientForTenant: tenantClients(destination, agents),
    },
  );
  // DestinationsProvider.load() when the Subaccount level is expanded: the destination to forward is there.
  const listed = await connection.client.list('subaccount');
  if (!listed.some((record) => record.Name === args.destination)) throw new Error(`${args.destination} is not among the listed destinations`);
  return {
    ready: { listed: listed.length } satisfies TreeForwardReady,
    handlers: {
      // The Forward command: `connection.startForward(config.forwardSpec(name))`, default settings (a free port).
      forward: async () => (await connection.startForward({ destination: args.destination, port: 0 })).port,
    },
    close: async () => {
      await connection.close();
      await agents.close();
    },
  };
});
