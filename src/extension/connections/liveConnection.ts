import type { ConnectionBindings } from '../../core/connections/connectionStore';
import type { DestinationSource } from '../../core/destinationService/source';
import { ConnectionRuntime, type ConnectionRuntimeOptions } from '../../core/session/connectionRuntime';

/** `local`: the destinations imported on this machine (no Destination service, no connectivity proxy). */
export type ConnectionKind = 'saved' | 'sandbox' | 'local';

export type LiveConnectionOptions = ConnectionRuntimeOptions;

/**
 * One connection of the window: the connection runtime (forwards, tunnel, signed-in user, check) with the kind
 * the tree shows. Everything else is the runtime's, shared with the CLI.
 */
export class LiveConnection extends ConnectionRuntime {
  /** A connection to a subaccount (or the sandbox) through its service bindings. */
  static fromBindings(name: string, kind: ConnectionKind, bindings: ConnectionBindings, options: LiveConnectionOptions): LiveConnection {
    return new LiveConnection(kind, ConnectionRuntime.parts(name, bindings, options), options);
  }

  /** The destinations of this machine: no Destination service, connectivity proxy or user. */
  static local(name: string, client: DestinationSource, options: LiveConnectionOptions): LiveConnection {
    return new LiveConnection('local', { name, client }, options);
  }

  constructor(
    readonly kind: ConnectionKind,
    ...runtime: ConstructorParameters<typeof ConnectionRuntime>
  ) {
    super(...runtime);
  }
}
