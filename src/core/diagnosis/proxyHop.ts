import { ErrorCode, isBtpError } from '../errors';
import type { HttpAgents } from '../http/agents';
import type { ProxyEndpoint } from '../http/proxySettings';
import type { HopRecorder } from './recorder';
import type { HopFailure } from './types';
import { fromError } from './verdicts';

/**
 * The `httpProxy` hop: this machine's outbound proxy. Every step whose request may pass it reports here; the first
 * that did decides the hop (ok: it carried the request; failed: it refused or could not be reached).
 */

/** What the hop says when no step passes the proxy. */
export function proxyFallback(hops: HopRecorder, agents: HttpAgents): void {
  hops.fallback(
    'httpProxy',
    agents.network.proxied
      ? 'not used: NO_PROXY (or loopback) exempts every host checked'
      : 'none: HTTPS_PROXY and HTTP_PROXY (http.proxy in VS Code) are unset, connections are direct',
  );
}

/**
 * After a step whose request went to `url` (`what` names it for the detail). True when the step failed at the
 * proxy: the proxy hop is then the failed one and the step's own hop is not reached.
 */
export function proxyStep(hops: HopRecorder, agents: HttpAgents, url: string, outcome: { ok: boolean; ms: number; error?: unknown }, what: string): boolean {
  const proxy = safeRoute(agents, url);
  if (!proxy) return false;
  if (!outcome.ok && atProxy(outcome.error)) {
    if (hops.has('httpProxy')) return false;
    hops.fail('httpProxy', outcome.ms, proxyHopFailure(outcome.error, proxy));
    return true;
  }
  hops.ok('httpProxy', outcome.ms, `${proxy.display} (${proxy.source}; ${credentialsOf(proxy)}) carried ${what}`);
  return false;
}

/** The error came from the outbound proxy itself (refused CONNECT, unreachable), not from behind it. */
export function atProxy(error: unknown): boolean {
  return isBtpError(error) && error.details?.at === 'proxy';
}

export function proxyHopFailure(error: unknown, proxy: ProxyEndpoint): HopFailure {
  const failure = fromError(error);
  const status = isBtpError(error) ? error.details?.status : undefined;
  const target = isBtpError(error) && typeof error.details?.target === 'string' ? error.details.target : 'the host';
  const fix =
    failure.code === ErrorCode.ProxyAuthRejected
      ? `Give the proxy's user and password in ${proxy.source} as user:password@${proxy.hostPort} after ${proxy.protocol}// (percent-encode special characters), or in VS Code set http.proxyAuthorization.`
      : status === undefined
        ? `Check ${proxy.source}: is ${proxy.hostPort} the proxy's host and port, and is it reachable from here? Hosts that are reachable directly go in NO_PROXY.`
        : `Ask for ${target} to be allowed through the proxy, or add it to NO_PROXY if it is reachable directly.`;
  return { code: failure.code, detail: failure.detail, fix };
}

function credentialsOf(proxy: ProxyEndpoint): string {
  return proxy.credentials === 'url'
    ? 'credentials from the proxy URL'
    : proxy.credentials === 'authorization'
      ? 'credentials from http.proxyAuthorization'
      : 'no credentials';
}

function safeRoute(agents: HttpAgents, url: string): ProxyEndpoint | undefined {
  try {
    return agents.route(url);
  } catch {
    return undefined;
  }
}
