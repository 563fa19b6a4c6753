import type { Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import { tokenEndpoint } from '../bindings/tokenEndpoint';
import { ConnectivityAccess, type ProxyEndpoints } from '../connectivity/connectivityAccess';
import { connectivityTunnelOptions, tunnelEndpoints } from '../connectivity/tunnelEndpoints';
import type { DestinationRecord, FindResult } from '../destinationService/types';
import { BtpError, ErrorCode } from '../errors';
import { locationIdOf, proxyTypeOf, tcpTargetOf, upstreamTlsOf, type TcpTarget } from '../forward/destinationTarget';
import { connectivityProxyHeaders } from '../connectivity/proxyHeaders';
import { upstreamHeaders } from '../forward/headers';
import type { Resolved } from '../forward/resolver';
import { routeOf, upstreamPath, type Route } from '../forward/route';
import { safeOrigin } from '../http/request';
import { silentLogger } from '../log';
import { TunnelSupervisor } from '../tunnel/supervisor';
import { HopRecorder, timed } from './recorder';
import { authToken, type AuthOutcome } from './authTokenStep';
import { atProxy, proxyFallback, proxyHopFailure, proxyStep } from './proxyHop';
import { connectorConnected, directTcp, onPremiseTcp, type ProxyAccess } from './tcpHops';
import type { CheckOptions, CheckResult } from './types';
import {
  backendBehindConnector,
  connectFailure,
  connectivityTokenFailure,
  errnoOf,
  fromError,
  lookupFailure,
  noCloudConnector,
  notExposed,
  pathNotExposed,
  proxyAuthFailure,
  responseVerdict,
  tlsFailure,
  tokenServiceFailure,
} from './verdicts';
import { exchange, openTcp, startTls, type HttpAnswer } from './wire';

const userAgent = 'btp-connect-check';

/**
 * Walks every hop from this machine to a destination's system and names the first one that breaks, with its fix:
 * the Destination service key's token, find-destination, the destination's own token, then (OnPremise) tunnel,
 * connectivity proxy, Cloud Connector and backend, or (Internet) backend and TLS, and finally the system's answer.
 * HTTP destinations get one GET of their URL (the body is never read beyond a few bytes); TCP, LDAP and MAIL
 * destinations a connection, through SOCKS5 when OnPremise. Upstream requests are built as a forward builds them.
 * Never throws for a broken hop: that is the result.
 */
export async function checkDestination(name: string, options: CheckOptions): Promise<CheckResult> {
  const hops = new HopRecorder();
  const logger = options.logger ?? silentLogger;
  const client = options.client;

  proxyFallback(hops, options.agents);
  // A client acting for a subscriber tenant is checked as that tenant: its token, its destinations, its proxy token.
  const tenant = client.tenant ?? {};
  // Fresh, not a token an earlier command kept: the check is of the token service and the key's secret as they are now.
  const token = await timed(() => client.tokens.freshClientCredentials(tenant));
  if (proxyStep(hops, options.agents, tokenEndpoint(client.tokens.binding, tenant).url, token, 'the token service request'))
    return hops.result({ destination: name });
  if (!token.ok) {
    hops.fail('tokenService', token.ms, tokenServiceFailure(token.error));
    return hops.result({ destination: name });
  }
  hops.ok(
    'tokenService',
    token.ms,
    `client-credentials token from ${safeOrigin(tokenEndpoint(client.tokens.binding, tenant).url)} (valid ${token.value.expiresIn} s)`,
  );

  const lookup = await timed(() => client.find(name, { ...options.findOptions, skipTokenRetrieval: true }));
  const binding = client.tokens.binding;
  if (binding.kind === 'destination' && proxyStep(hops, options.agents, binding.uri, lookup, 'the Destination service request'))
    return hops.result({ destination: name });
  const found = lookup.ok ? lookup.value : undefined;
  if (!lookup.ok || !found) {
    hops.fail(
      'destinationLookup',
      lookup.ms,
      lookupFailure(lookup.ok ? new BtpError(ErrorCode.NotFound, `Destination "${name}" was not found.`) : lookup.error, name),
    );
    return hops.result({ destination: name });
  }
  const shape = shapeOf(name, found.destinationConfiguration);
  if (!shape.ok) {
    hops.fail('destinationLookup', lookup.ms, shape.failure);
    return hops.result({ destination: name });
  }
  const { kind, proxyType, authentication, target } = shape;
  hops.ok(
    'destinationLookup',
    lookup.ms,
    `found at ${found.level ?? 'unknown'} level: ${found.destinationConfiguration.Type ?? 'HTTP'}, ${proxyType}, ${authentication}`,
  );
  const common = {
    destination: name,
    kind,
    proxyType,
    target: kind === 'http' ? `GET ${describeUrl(target as Route, options.path)}` : `${(target as TcpTarget).host}:${(target as TcpTarget).port}`,
  };

  const auth =
    kind !== 'tcp'
      ? await authToken(name, authentication, found, options, hops)
      : found.destinationConfiguration.Type === 'LDAP'
        ? ldapSignIn(found, authentication, hops)
        : streamClientSignsIn(found, authentication, hops);
  if (!auth) return hops.result(common);
  logger.debug(`check ${name}: lookup done, ${kind} ${proxyType}`);

  const resolved: Resolved = {
    name,
    destination: auth.destination,
    certificates: auth.certificates,
    ...(auth.header ? { authHeader: auth.header } : {}),
    refreshAt: 0,
  };
  if (proxyType !== 'OnPremise') {
    for (const hop of ['tunnel', 'connectivityProxy', 'cloudConnector'] as const)
      hops.skip(hop, `${proxyType} destination: connected directly, no connectivity proxy`);
    if (kind === 'tcp') {
      await directTcp(target as TcpTarget, options, hops);
      return hops.result(common);
    }
    const status = await directHttp(resolved, options, hops);
    return hops.result({ ...common, ...(status ? { status } : {}) });
  }

  const proxy = await reachProxy(name, options, hops);
  if (!proxy) return hops.result(common);
  try {
    if (kind === 'tcp') {
      await onPremiseTcp(target as TcpTarget, locationIdOf(auth.destination), proxy, options, hops);
      return hops.result(common);
    }
    const status = await onPremiseHttp(resolved, auth.propagation, proxy, options, hops);
    return hops.result({ ...common, ...(status ? { status } : {}) });
  } finally {
    await proxy.close();
  }
}

/**
 * An LDAP client binds with `ldap.user` and `ldap.password` itself: the Destination service has no token for it (its
 * `authTokens` follow `Authentication`, which LDAP destinations do not have), and none would go on the LDAP wire.
 */
function ldapSignIn(found: FindResult, authentication: string, hops: HopRecorder): AuthOutcome {
  hops.skip('authToken', `LDAP ${authentication}: the client binds with ldap.user itself, no token to fetch`);
  return { destination: found.destinationConfiguration, certificates: found.certificates ?? [] };
}

/**
 * A TCP forward carries bytes and injects nothing: a MAIL or TCP destination's client signs in itself (SMTP AUTH with
 * `mail.user`/`mail.password`, a database's own login). No auth token is fetched that nobody would use.
 */
function streamClientSignsIn(found: FindResult, authentication: string, hops: HopRecorder): AuthOutcome {
  const destination = found.destinationConfiguration;
  hops.skip(
    'authToken',
    authentication === 'NoAuthentication'
      ? 'NoAuthentication: no token to fetch'
      : `${destination.Type ?? 'TCP'} with ${authentication}: the client signs in itself with the destination's properties; a TCP forward injects nothing`,
  );
  return { destination, certificates: found.certificates ?? [] };
}

type Shape =
  | { ok: true; kind: 'http' | 'tcp'; proxyType: 'Internet' | 'OnPremise' | 'PrivateLink'; authentication: string; target: Route | TcpTarget }
  | { ok: false; failure: ReturnType<typeof lookupFailure> };

/** What kind of check the destination gets, and where it points; a destination no client could use fails the lookup hop. */
function shapeOf(name: string, destination: DestinationRecord): Shape {
  const type = destination.Type ?? 'HTTP';
  const proxyType = proxyTypeOf(destination);
  const authentication = destination.Authentication ?? destination['ldap.authentication'] ?? 'NoAuthentication';
  try {
    if (type === 'HTTP') {
      const route = routeOf({ name, destination, certificates: [], refreshAt: 0 });
      return { ok: true, kind: 'http', proxyType, authentication, target: route };
    }
    return { ok: true, kind: 'tcp', proxyType, authentication, target: tcpTargetOf(name, destination) };
  } catch (error) {
    return { ok: false, failure: lookupFailure(error, name) };
  }
}

/** Tunnel (when asked for) and the connectivity token; the proxy's verdict on it comes with the first request. */
async function reachProxy(name: string, options: CheckOptions, hops: HopRecorder): Promise<ProxyAccess | undefined> {
  const binding = options.connectivity;
  if (!binding) {
    hops.skip('tunnel', 'no connectivity service key');
    hops.fail('connectivityProxy', 0, {
      code: ErrorCode.BindingNotFound,
      detail: `OnPremise destination "${name}" is reached through the connectivity proxy, and this connection has no connectivity service key.`,
      fix: 'Pass --connectivity-key <file> together with --key, connect the connection again with a connectivity key, or bind the Connectivity service (VCAP_SERVICES).',
    });
    return undefined;
  }
  const mode = options.tunnel ?? { kind: 'direct' as const };
  let tunnel: TunnelSupervisor | undefined;
  let endpoints: ProxyEndpoints | undefined = options.proxyEndpoints;
  if (endpoints) hops.ok('tunnel', 0, 'the running tunnel to the connectivity proxy');
  else if (mode.kind === 'direct') hops.skip('tunnel', `direct: the connectivity proxy at ${binding.proxyHost}:${binding.httpPort} as the key names it`);
  else {
    const started = new TunnelSupervisor(
      connectivityTunnelOptions(binding, mode, {
        ...(options.logger ? { logger: options.logger.child('tunnel') } : {}),
        ...(options.tunnelEnv ? { env: options.tunnelEnv } : {}),
      }),
    );
    const run = await timed(() => started.start());
    if (!run.ok) {
      await started.stop();
      const failure = fromError(run.error);
      hops.fail('tunnel', run.ms, {
        ...failure,
        fix:
          mode.kind === 'cf-ssh'
            ? `Check \`cf target\`, that app "${mode.app}" runs, is bound to the Connectivity service and has SSH enabled (\`cf enable-ssh ${mode.app}\`); \`btp-connect tunnel setup\` checks all of it.`
            : mode.kind === 'kubectl'
              ? 'Check the kubectl context and namespace, and that svc/connectivity-proxy exists there; `btp-connect tunnel setup --kyma` finds them.'
              : 'Check the tunnel command and its output above.',
      });
      return undefined;
    }
    tunnel = started;
    endpoints = tunnelEndpoints(started);
    const local = started.endpoints.map((endpoint) => `${endpoint.host}:${endpoint.port}`).join(', ');
    hops.ok('tunnel', run.ms, `${mode.kind}: ${local} → ${binding.proxyHost}:${binding.httpPort}`);
  }
  const tenant = options.client.tenant;
  const access = new ConnectivityAccess(binding, options.agents, endpoints, tenant ? { tenant } : {});
  const close = async () => {
    await access.close();
    await tunnel?.stop();
  };
  const token = await timed(() => access.token());
  if (!token.ok) {
    hops.fail('connectivityProxy', token.ms, connectivityTokenFailure(token.error));
    await close();
    return undefined;
  }
  return { access, token: token.value, tokenMs: token.ms, close };
}

async function onPremiseHttp(
  resolved: Resolved,
  propagation: string | undefined,
  proxy: ProxyAccess,
  options: CheckOptions,
  hops: HopRecorder,
): Promise<number | undefined> {
  const timeoutMs = options.stepTimeoutMs ?? 15_000;
  const route = routeOf(resolved);
  const endpoint = await timed(async () => proxy.access.httpProxy());
  if (!endpoint.ok) {
    hops.fail('connectivityProxy', proxy.tokenMs, connectivityTokenFailure(endpoint.error));
    return undefined;
  }
  const connected = await timed(() => openTcp(endpoint.value.host, endpoint.value.port, timeoutMs));
  if (!connected.ok) {
    hops.fail('connectivityProxy', proxy.tokenMs + connected.ms, connectFailure(connected.error, endpoint.value, 'connectivityProxy'));
    return undefined;
  }
  const socket = connected.value;
  const path = pathFor(route, options.path);
  const virtual = { host: route.target.hostname, port: Number(route.target.port || 80) };
  const overrides: Record<string, string> = {
    ...(route.auth ? { [route.auth[0]]: route.auth[1] } : {}),
    ...connectivityProxyHeaders({ virtualHost: route.target.host, connectivityToken: proxy.token.accessToken, locationId: route.locationId, propagation }),
  };
  const headers = upstreamHeaders({}, { defaults: { accept: '*/*', 'user-agent': userAgent, ...route.defaults }, overrides });
  // Absolute form, as the connectivity proxy expects (spec §5.1).
  const answer = await timed(() => exchange(socket, { method: 'GET', path: `${route.target.origin}${path}`, headers }, timeoutMs));
  socket.destroy();
  const proxyMs = proxy.tokenMs + connected.ms;
  if (!answer.ok) {
    const code = errnoOf(answer.error);
    if (code === 'ETIMEDOUT') {
      hops.ok('connectivityProxy', proxyMs, 'connected; the request went in');
      hops.fail('backend', answer.ms, {
        code: ErrorCode.Timeout,
        detail: `No answer through the connectivity proxy within ${timeoutMs} ms.`,
        fix: `The Cloud Connector or the system behind ${virtual.host}:${virtual.port} is slow or hangs: check the system, and the Cloud Connector's log.`,
      });
    } else {
      hops.fail('connectivityProxy', proxyMs + answer.ms, {
        code: ErrorCode.ProtocolError,
        detail: `The connectivity proxy closed the connection without an answer (${code ?? (answer.error as Error).message}).`,
        fix: `Check that ${endpoint.value.host}:${endpoint.value.port} is the HTTP port (onpremise_proxy_http_port) of the connectivity proxy.`,
      });
    }
    return undefined;
  }
  const { status } = answer.value;
  const said = firstLine(answer.value);
  if (status === 407) {
    hops.fail('connectivityProxy', proxyMs + answer.ms, proxyAuthFailure('HTTP 407', said));
    return undefined;
  }
  hops.ok('connectivityProxy', proxyMs, `connectivity token accepted at ${endpoint.value.host}:${endpoint.value.port}`);
  if (status === 503 && /cloud connector|\bSCC\b/i.test(said ?? '')) {
    hops.fail('cloudConnector', answer.ms, noCloudConnector(route.locationId, 'HTTP 503'));
    return status;
  }
  if (status === 403 && /access denied to system/i.test(said ?? '')) {
    // The real Cloud Connector words a missing mapping and an unexposed path alike: a refusal here means the way
    // works and this path is not let through (a warning), unless the access control is known to lack the system.
    const known = options.accessControl?.(virtual.host, virtual.port, route.locationId);
    const pathOnly = path.split('?')[0] ?? '/';
    if (known && !known.mapped) hops.fail('cloudConnector', answer.ms, notExposed(virtual, 'HTTP', pathOnly, 'HTTP 403'));
    else {
      // Paths that worked through this destination's forwards are exposed by definition (but not the one refused now).
      const checked = (options.path ?? '').split('?')[0];
      const recent = (options.recentPaths ?? []).filter((recentPath) => recentPath !== checked).slice(0, 5);
      hops.warn('cloudConnector', answer.ms, pathNotExposed(virtual, pathOnly, 'HTTP 403', known?.exposed, recent), known?.exposed, recent);
    }
    return status;
  }
  hops.ok('cloudConnector', answer.ms, connectorConnected(route.locationId, `${virtual.host}:${virtual.port}${path.split('?')[0]}`));
  if (status === 502) {
    hops.fail('backend', answer.ms, backendBehindConnector(virtual, 'HTTP 502', /cloud connector/i.test(said ?? '') ? said : undefined));
    return status;
  }
  hops.ok('backend', answer.ms, `the system behind ${virtual.host}:${virtual.port} answered`);
  hops.skip('tls', 'OnPremise: the Cloud Connector does TLS to the system when its access-control entry says HTTPS');
  recordResponse(status, answer.ms, resolved, hops);
  return status;
}

async function directHttp(resolved: Resolved, options: CheckOptions, hops: HopRecorder): Promise<number | undefined> {
  const timeoutMs = options.stepTimeoutMs ?? 15_000;
  const route = routeOf(resolved);
  const https = route.target.protocol === 'https:';
  const host = route.target.hostname.replace(/^\[|\]$/g, '');
  const endpoint = { host, port: Number(route.target.port || (https ? 443 : 80)) };
  const network = options.agents.network;
  const proxy = network.route(route.target);
  // Through this machine's proxy, as the forward goes: a CONNECT tunnel instead of the TCP connection.
  const connected = await timed(
    async () => (proxy ? (await network.tunnel(route.target, timeoutMs))?.socket : undefined) ?? openTcp(endpoint.host, endpoint.port, timeoutMs),
  );
  if (proxy && proxyStep(hops, options.agents, route.target.href, connected, `CONNECT ${endpoint.host}:${endpoint.port}`)) return undefined;
  if (!connected.ok) {
    hops.fail(
      'backend',
      connected.ms,
      proxy && atProxy(connected.error) ? proxyHopFailure(connected.error, proxy) : connectFailure(connected.error, endpoint, 'backend'),
    );
    return undefined;
  }
  hops.ok('backend', connected.ms, `${endpoint.host}:${endpoint.port} accepted the connection${proxy ? ` through ${proxy.display}` : ''}`);
  let socket: Socket = connected.value;
  try {
    if (https) {
      const tls = upstreamTlsOf(resolved.destination, resolved.certificates);
      // Without a trust store of its own, a destination is verified against this machine's CAs, as the forward does.
      const extras = tls.ca === undefined ? network.trust.extras() : [];
      const trusted = extras.length > 0 ? { ...tls, ca: [...rootCertificates, ...extras] } : tls;
      const handshake = await timed(() => startTls(connected.value, host, trusted, timeoutMs));
      if (!handshake.ok) {
        hops.fail('tls', handshake.ms, tlsFailure(errnoOf(handshake.error), host, undefined, (handshake.error as Error).message, proxy?.hostPort));
        return undefined;
      }
      socket = handshake.value.socket;
      const { verifyError, certificate } = handshake.value;
      const trust = resolved.destination.TrustStoreLocation
        ? `TrustStoreLocation ${resolved.destination.TrustStoreLocation}`
        : extras.length > 0
          ? "this machine's CAs"
          : 'the default CAs';
      if (verifyError && tls.rejectUnauthorized) {
        hops.fail('tls', handshake.ms, tlsFailure(verifyError, host, certificate, undefined, proxy?.hostPort));
        return undefined;
      }
      hops.ok(
        'tls',
        handshake.ms,
        verifyError
          ? `TrustAll=true: the certificate was taken unverified (${verifyError})`
          : `${handshake.value.protocol ?? 'TLS'}, certificate${certificate?.subject ? ` ${certificate.subject}` : ''} verified against ${trust}`,
      );
    } else hops.skip('tls', 'http:// URL: no TLS');
    const headers = upstreamHeaders(
      {},
      {
        defaults: { accept: '*/*', 'user-agent': userAgent, ...route.defaults },
        overrides: { host: route.target.host, ...(route.auth ? { [route.auth[0]]: route.auth[1] } : {}) },
      },
    );
    const answer = await timed(() => exchange(socket, { method: 'GET', path: pathFor(route, options.path), headers }, timeoutMs));
    if (!answer.ok) {
      const code = errnoOf(answer.error);
      hops.fail(
        'response',
        answer.ms,
        code === 'ETIMEDOUT'
          ? {
              code: ErrorCode.Timeout,
              detail: `${endpoint.host}:${endpoint.port} did not answer within ${timeoutMs} ms.`,
              fix: 'The system is slow or hangs: check it; the path to it works.',
            }
          : {
              code: ErrorCode.ProtocolError,
              detail: `${endpoint.host}:${endpoint.port} closed the connection without an HTTP answer (${code ?? (answer.error as Error).message}).`,
              fix: `Check that the URL's scheme fits the port (${https ? 'https' : 'http'}:// on ${endpoint.port}).`,
            },
      );
      return undefined;
    }
    recordResponse(answer.value.status, answer.ms, resolved, hops);
    return answer.value.status;
  } finally {
    socket.destroy();
  }
}

function recordResponse(status: number, ms: number, resolved: Resolved, hops: HopRecorder): void {
  const verdict = responseVerdict(status, resolved.destination.Authentication ?? 'NoAuthentication', resolved.name);
  if (verdict.ok) hops.ok('response', ms, verdict.detail);
  else hops.fail('response', ms, verdict.failure);
}

/** The request path: the destination URL's own, or `--path` below it, with URL.queries merged as a forward merges them. */
function pathFor(route: Route, path: string | undefined): string {
  const local = path === undefined || path === '' ? '' : path.startsWith('/') ? path : `/${path}`;
  const full = upstreamPath(route, local);
  return full.startsWith('/') ? full : `/${full}`;
}

/** The checked URL for output: origin and path only (queries may carry API keys). */
function describeUrl(route: Route, path: string | undefined): string {
  return `${route.target.origin}${pathFor(route, path).split('?')[0]}`;
}

/** The first line of a proxy or Cloud Connector text, shortened; backends' bodies are never shown. */
function firstLine(answer: HttpAnswer): string | undefined {
  const line = answer.bodyStart.split('\n')[0]?.trim();
  return line ? line.slice(0, 300) : undefined;
}
