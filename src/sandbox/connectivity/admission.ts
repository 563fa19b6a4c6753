import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import type { SigningKey } from '../base/jwt';
import type { World } from '../base/world';
import { bearerValue, verifyConnectivityToken, verifyUserToken } from './proxyAuth';
import type { Tunnel, TunnelRegistry } from './tunnelRegistry';
import type { PropagatedUser } from '../tunnel/tunnelProtocol';

export interface AdmissionContext {
  readonly world: World;
  readonly key: SigningKey;
  readonly tunnels: TunnelRegistry;
}

/** Where an absolute-form request goes: the virtual system as the Cloud Connector knows it. */
export interface ProxyTarget {
  readonly virtualHost: string;
  readonly virtualPort: number;
  /** Normalised path and query (dot segments resolved), what the connector matches and forwards. */
  readonly path: string;
}

export interface Admitted {
  readonly ok: true;
  readonly target: ProxyTarget;
  readonly tunnel: Tunnel;
  readonly user?: PropagatedUser;
}

export interface Refused {
  readonly ok: false;
  readonly status: number;
  readonly message: string;
  readonly headers?: Record<string, string>;
}

const locationHeader = 'sap-connectivity-scc-location_id';

/**
 * The checks of spec §5.1 in the order the real proxy answers them: target form and scheme (405 comes before
 * authentication: the SDK's CONNECT carries no token), the connectivity token (407), propagated user, then the
 * Cloud Connector for (token zid, location ID) (503).
 */
export function admit(req: IncomingMessage, context: AdmissionContext): Admitted | Refused {
  const target = parseTarget(req.url ?? '');
  if (!target.ok) return target;

  const token = bearerValue(req.headers['proxy-authorization']);
  const checked = token === undefined ? undefined : verifyConnectivityToken(context.world, context.key, token);
  if (!checked?.ok) {
    const reason = checked?.message ?? 'A Proxy-Authorization header with a Bearer token of the Connectivity service is required';
    return { ok: false, status: 407, message: `Proxy authentication failed: ${reason}.`, headers: { 'Proxy-Authenticate': 'Bearer' } };
  }
  const caller = checked.caller;

  let user = caller.user;
  const userHeader = req.headers['sap-connectivity-authentication'];
  if (userHeader !== undefined) {
    if (caller.user)
      return { ok: false, status: 400, message: 'SAP-Connectivity-Authentication must not be combined with a user token in Proxy-Authorization.' };
    const verified = verifyUserToken(context.key, bearerValue(userHeader) ?? '', caller.tenant.id);
    if (!verified.ok)
      return { ok: false, status: 407, message: `Principal propagation failed: ${verified.message}.`, headers: { 'Proxy-Authenticate': 'Bearer' } };
    user = verified.user;
  }

  const locationId = rawLocation(req.headers[locationHeader]);
  const tunnel = context.tunnels.get(caller.tenant.id, locationId);
  if (!tunnel) {
    return {
      ok: false,
      status: 503,
      message:
        `There is no SAP Cloud Connector (SCC) connected to your subaccount matching the requested tunnel for subaccount '${caller.tenant.id}' ` +
        `and SCC location ID '${locationId}'. Check that a Cloud Connector is connected with this location ID.`,
    };
  }
  return { ok: true, target: target.target, tunnel, ...(user ? { user } : {}) };
}

function parseTarget(requestTarget: string): { ok: true; target: ProxyTarget } | Refused {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(requestTarget)?.[1]?.toLowerCase();
  if (scheme === 'https') {
    return {
      ok: false,
      status: 405,
      message: 'The connectivity proxy accepts http:// targets only; TLS to the backend is set per system mapping in the Cloud Connector (protocol HTTPS).',
    };
  }
  if (scheme !== 'http')
    return {
      ok: false,
      status: 400,
      message: 'The connectivity proxy accepts absolute-form requests only (GET http://<virtual host>:<port>/<path> HTTP/1.1).',
    };
  let url: URL;
  try {
    url = new URL(requestTarget);
  } catch {
    return { ok: false, status: 400, message: 'The request target is not a valid URL.' };
  }
  const virtualHost = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (virtualHost === '') return { ok: false, status: 400, message: 'The request target names no host.' };
  // WHATWG URLs allow hosts like `whoami{` or `a"b` (http:///whoami{ parses). Such a name is no valid HTTP/2
  // authority: the connector would refuse the stream as an invalid frame, and after a thousand of those Node ends
  // its whole session (maxSessionInvalidFrames), cutting the tunnel for everybody behind that Cloud Connector.
  if (!/^[a-z0-9._~!$&'()*+,;=-]+$/.test(virtualHost) && !isIPv6(virtualHost))
    return { ok: false, status: 400, message: 'The request target names no valid host.' };
  return { ok: true, target: { virtualHost, virtualPort: url.port === '' ? 80 : Number(url.port), path: `${url.pathname}${url.search}` } };
}

/** The header is raw text, but a client may send UTF-8 bytes; Node hands them over as latin1. */
function rawLocation(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  // ASCII (and the absent header) reads the same either way: no buffer a request.
  if (!/[\u0080-\uffff]/.test(text)) return text;
  return Buffer.from(text, 'latin1').toString('utf8');
}
