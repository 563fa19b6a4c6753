import { silentLogger } from '../../../src/core/log';
import { startConnectivityStack, type ConnectivityStack } from '../../../src/sandbox/stack';
import { loadOrCreateIdentity, type SandboxIdentity } from '../../../src/sandbox/base/identity';
import { signJwt } from '../../../src/sandbox/base/jwt';
import { PROVIDER_TENANT_ID, SUBSCRIBER_TENANT_ID } from '../../../src/sandbox/base/world';

/**
 * The on-premise half of the sandbox on ephemeral loopback ports (connectivity proxy, two Cloud Connectors, the
 * sample systems), without token or Destination service: tokens are signed here with the sandbox key, exactly
 * as its token service would sign them.
 */
export interface ConnectivityHarness {
  readonly identity: SandboxIdentity;
  readonly stack: ConnectivityStack;
  readonly tokens: {
    /** Client-credentials token of the connectivity binding, provider subaccount (has Cloud Connectors). */
    readonly provider: string;
    /** The same client for the subscriber subaccount (no Cloud Connector: 503 / REP 0x03). */
    readonly subscriber: string;
    /** A genuine sandbox token of the destination client: valid signature, wrong service (407 / REP 0x05). */
    readonly otherService: string;
    /** A connectivity token that carries a user (principal propagation). */
    readonly user: string;
  };
  close(): Promise<void>;
}

export async function startConnectivityHarness(): Promise<ConnectivityHarness> {
  const identity = await loadOrCreateIdentity(undefined);
  const connectivity = identity.world.clientOfKind('connectivity').clientId;
  const destination = identity.world.clientOfKind('destination').clientId;
  const stack = await startConnectivityStack({ identity, ports: { http: 0, socks5: 0, tunnel: 0 }, logger: silentLogger });
  const now = Math.floor(Date.now() / 1000);
  const token = (clientId: string, zid: string, extra: Record<string, unknown> = {}) =>
    signJwt(identity.signingKey, { cid: clientId, client_id: clientId, zid, iat: now, exp: now + 3600, grant_type: 'client_credentials', ...extra });
  return {
    identity,
    stack,
    tokens: {
      provider: token(connectivity, PROVIDER_TENANT_ID),
      subscriber: token(connectivity, SUBSCRIBER_TENANT_ID),
      otherService: token(destination, PROVIDER_TENANT_ID),
      user: token(connectivity, PROVIDER_TENANT_ID, {
        user_name: 'alice',
        email: 'alice@example.com',
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      }),
    },
    close: () => stack.close(),
  };
}

/**
 * How often each Cloud Connector has connected its tunnel so far. Equal before and after a run: no case cost a
 * connector its tunnel (a session ended by bad frames reconnects, and counts up).
 */
export function connectorConnections(h: ConnectivityHarness): number[] {
  return h.stack.connectors.map((connector) => connector.stats().connections);
}
