import { maxConnectionsCeiling } from '../src/core/forward/connectionLimit';
import { parseCredentials } from '../src/core/bindings/parseCredentials';
import type { ConnectivityBinding, DestinationBinding } from '../src/core/bindings/types';
import { ConnectivityAccess } from '../src/core/connectivity/connectivityAccess';
import { DestinationServiceClient } from '../src/core/destinationService/client';
import { ForwardManager } from '../src/core/forward/forwardManager';
import { HttpAgents } from '../src/core/http/agents';
import { tuneForForwarding } from '../src/cli/runtime';
import { serveParent } from './ipc';
import { benchPassword, benchUser, benchVirtual, destinationNames } from './shared';

// Our forwards, in a process of their own as `btp-connect forward` would be, wired the way sandboxDemo.ts wires
// them: the sandbox's service keys, a core client, a ForwardManager.

export type ForwardKind = 'http' | 'inspected' | 'tcp' | 'iperf' | 'tunnel';

export interface ForwardsArgs {
  readonly keys: { readonly destination: unknown; readonly connectivity: unknown };
  readonly caPem: string;
  readonly upstreamPort: number;
  /** The iperf3 server (a second TCP destination), when iperf3 is installed. */
  readonly iperfPort?: number;
  /** Create the bench destinations (the first forwards process does; later ones reuse them). */
  readonly createDestinations: boolean;
  /** Which forwards to start; the idle-connection check starts one alone. */
  readonly start: readonly ForwardKind[];
  /** Forwards of each started kind (default 1): the 10,000-connection check spreads them over several. */
  readonly copies?: number;
}

/** The forwards' ports by kind (the first of each), and every copy's port. */
export type ForwardPorts = Partial<Record<ForwardKind, number>> & { readonly copies?: Partial<Record<ForwardKind, number[]>> };

// The same runtime settings as `btp-connect forward`, which this process stands for.
tuneForForwarding();

serveParent(async (args: ForwardsArgs) => {
  const agents = new HttpAgents({ extraCaPem: args.caPem });
  const destination = parseCredentials(args.keys.destination, { expected: 'destination' }) as DestinationBinding;
  const connectivity = new ConnectivityAccess(parseCredentials(args.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding, agents);
  const client = new DestinationServiceClient({ binding: destination, agents });
  if (args.createDestinations) {
    const basic = { Type: 'HTTP', Authentication: 'BasicAuthentication', User: benchUser, Password: benchPassword };
    await client.create('subaccount', { Name: destinationNames.http, URL: `http://127.0.0.1:${args.upstreamPort}`, ProxyType: 'Internet', ...basic });
    await client.create('subaccount', {
      Name: destinationNames.tcp,
      Type: 'TCP',
      Address: `127.0.0.1:${args.upstreamPort}`,
      ProxyType: 'Internet',
      Authentication: 'NoAuthentication',
    });
    if (args.iperfPort !== undefined)
      await client.create('subaccount', {
        Name: destinationNames.iperf,
        Type: 'TCP',
        Address: `127.0.0.1:${args.iperfPort}`,
        ProxyType: 'Internet',
        Authentication: 'NoAuthentication',
      });
    await client.create('subaccount', {
      Name: destinationNames.onPremise,
      URL: `http://${benchVirtual.host}:${benchVirtual.port}`,
      ProxyType: 'OnPremise',
      ...basic,
    });
  }
  const manager = new ForwardManager({ client, connectivity });
  const names = {
    http: destinationNames.http,
    inspected: destinationNames.http,
    tcp: destinationNames.tcp,
    iperf: destinationNames.iperf,
    tunnel: destinationNames.onPremise,
  } as const;
  const ports: Partial<Record<ForwardKind, number>> = {};
  const copies: Partial<Record<ForwardKind, number[]>> = {};
  for (const which of args.start) {
    for (let copy = 0; copy < (args.copies ?? 1); copy++) {
      // The idle check holds 1,000 connections through one forward: above the default bound of 128 (finding D2), which
      // would reset the rest; the bench measures what a forward allowed that many costs.
      const info = await manager.start({ destination: names[which], maxConnections: maxConnectionsCeiling });
      // A second forward to the same destination with the inspector open (headers; bodies stay off by default).
      if (which === 'inspected') manager.inspect(info.id);
      ports[which] ??= info.port;
      (copies[which] ??= []).push(info.port);
    }
  }
  return {
    ready: { ...ports, copies } satisfies ForwardPorts,
    handlers: {
      rss: () => process.memoryUsage().rss,
      counters: () => manager.list().map((info) => ({ destination: info.destination, ...info.counters })),
    },
    close: async () => {
      await manager.dispose();
      await connectivity.close();
      await agents.close();
    },
  };
});
