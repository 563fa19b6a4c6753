import type { Socket } from 'node:net';
import type { ConnectivityAccess } from '../connectivity/connectivityAccess';
import { socksReplyError } from '../connectivity/socksReplies';
import { ErrorCode } from '../errors';
import type { TcpTarget } from '../forward/destinationTarget';
import type { AccessToken } from '../oauth/tokenRequest';
import { timed, type HopRecorder } from './recorder';
import { SocksSteps } from './socksSteps';
import type { CheckOptions } from './types';
import { backendBehindConnector, connectFailure, fromError, noCloudConnector, notExposed, proxyAuthFailure } from './verdicts';
import { openTcp } from './wire';

/** The TCP hops of a check: through the connectivity proxy's SOCKS5 port and the Cloud Connector, or direct. */

/** The connectivity proxy as the check reached it: its access, the token and how long getting it took. */
export interface ProxyAccess {
  readonly access: ConnectivityAccess;
  readonly token: AccessToken;
  readonly tokenMs: number;
  close(): Promise<void>;
}

/** What the `cloudConnector` hop says when the connector took the connection to `target`. */
export function connectorConnected(locationId: string | undefined, target: string): string {
  return `${locationId ? `location ID "${locationId}"` : 'no location ID'}: connected, ${target} exposed`;
}

export async function onPremiseTcp(
  target: TcpTarget,
  locationId: string | undefined,
  proxy: ProxyAccess,
  options: CheckOptions,
  hops: HopRecorder,
): Promise<void> {
  const timeoutMs = options.stepTimeoutMs ?? 15_000;
  const endpoint = await timed(async () => proxy.access.socks5Proxy());
  if (!endpoint.ok) {
    const failure = fromError(endpoint.error);
    hops.fail('connectivityProxy', proxy.tokenMs, {
      ...failure,
      fix: 'Use a connectivity service key with "onpremise_socks5_proxy_port": TCP destinations go through the SOCKS5 port.',
    });
    return;
  }
  const connected = await timed(() => openTcp(endpoint.value.host, endpoint.value.port, timeoutMs));
  if (!connected.ok) {
    hops.fail('connectivityProxy', proxy.tokenMs + connected.ms, connectFailure(connected.error, endpoint.value, 'socks5'));
    return;
  }
  const socket: Socket = connected.value;
  try {
    const steps = new SocksSteps(socket, timeoutMs);
    const auth = await timed(() => steps.authenticate(proxy.token.accessToken, locationId ?? ''));
    const proxyMs = proxy.tokenMs + connected.ms + auth.ms;
    if (!auth.ok || !auth.value.ok) {
      const refusal = auth.ok && !auth.value.ok ? auth.value : undefined;
      hops.fail(
        'connectivityProxy',
        proxyMs,
        refusal?.reason === 'auth'
          ? proxyAuthFailure(`SOCKS5 authentication answered ${refusal.answer}`)
          : {
              code: ErrorCode.ProtocolError,
              detail: `${endpoint.value.host}:${endpoint.value.port} did not complete SAP's SOCKS5 greeting (${refusal ? `answered ${refusal.answer}` : auth.ok ? 'no answer' : (auth.error as Error).message}).`,
              fix: 'Check "onpremise_socks5_proxy_port" of the connectivity service key: it must be the SOCKS5 port of the connectivity proxy.',
            },
      );
      return;
    }
    const reply = await timed(() => steps.connect(target.host, target.port));
    // SAP's proxy may take the token at authentication and refuse it at CONNECT (reply 0x05, spec §5.2 item 24).
    if (reply.ok && reply.value === 0x05) {
      hops.fail('connectivityProxy', proxyMs + reply.ms, proxyAuthFailure('SOCKS5 reply 0x05'));
      return;
    }
    hops.ok('connectivityProxy', proxyMs, `connectivity token accepted at SOCKS5 ${endpoint.value.host}:${endpoint.value.port}`);
    if (!reply.ok) {
      hops.fail('cloudConnector', reply.ms, {
        code: ErrorCode.ProtocolError,
        detail: `The SOCKS5 CONNECT to ${target.host}:${target.port} got no answer (${(reply.error as Error).message}).`,
        fix: "Run the check again; if it persists, look at the Cloud Connector's log.",
      });
      return;
    }
    const how = `SOCKS5 reply 0x${reply.value.toString(16).padStart(2, '0')}`;
    switch (reply.value) {
      case 0x00:
        break;
      case 0x03:
        hops.fail('cloudConnector', reply.ms, noCloudConnector(locationId, how));
        return;
      case 0x02:
        hops.fail('cloudConnector', reply.ms, notExposed(target, 'TCP', undefined, how));
        return;
      case 0x04:
        hops.ok('cloudConnector', reply.ms, connectorConnected(locationId, `${target.host}:${target.port}`));
        hops.fail('backend', reply.ms, backendBehindConnector(target, how));
        return;
      default: {
        const error = socksReplyError(reply.value, target, locationId);
        hops.fail('cloudConnector', reply.ms, { code: error.code, detail: error.message, fix: "Look at the Cloud Connector's log for this connection." });
        return;
      }
    }
    hops.ok('cloudConnector', reply.ms, connectorConnected(locationId, `${target.host}:${target.port}`));
    hops.ok('backend', reply.ms, `the system behind ${target.host}:${target.port} accepted the connection`);
    hops.skip('tls', "TCP: TLS, if any, is the client's (or TCPS in the Cloud Connector)");
    hops.skip('response', 'TCP: the connection stands; what is spoken on it is not checked');
  } finally {
    socket.destroy();
  }
}

export async function directTcp(target: TcpTarget, options: CheckOptions, hops: HopRecorder): Promise<void> {
  const connected = await timed(() => openTcp(target.host, target.port, options.stepTimeoutMs ?? 15_000));
  if (!connected.ok) {
    hops.fail('backend', connected.ms, connectFailure(connected.error, target, 'backend'));
    return;
  }
  connected.value.destroy();
  hops.ok('backend', connected.ms, `${target.host}:${target.port} accepted the connection`);
  hops.skip('tls', "TCP: TLS, if any, is the client's");
  hops.skip('response', 'TCP: the connection stands; what is spoken on it is not checked');
}
