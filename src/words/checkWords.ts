import type { CheckResult, HopId, HopStatus } from '../core/diagnosis/types';
import { errorHeadings } from './errorWords';

/** How a UI (CLI, extension) names each hop of a connection check. */
export const hopLabels: Record<HopId, string> = {
  httpProxy: 'HTTP proxy',
  tokenService: 'token service',
  destinationLookup: 'destination lookup',
  authToken: 'auth token',
  tunnel: 'tunnel',
  connectivityProxy: 'connectivity proxy',
  cloudConnector: 'Cloud Connector',
  backend: 'backend',
  tls: 'TLS',
  response: 'response',
};

export const hopMarks: Record<HopStatus, string> = { ok: '✓', failed: '✗', warning: '!', skipped: '–' };

/**
 * A check as text: a heading, one line per hop (mark, name, time, what was seen), then the verdict and, for a
 * failure, the fix. The same words for the terminal and the extension's output channel.
 */
export function checkReport(result: CheckResult): string[] {
  const width = Math.max(...Object.values(hopLabels).map((label) => label.length));
  const what = [result.kind?.toUpperCase(), result.proxyType].filter(Boolean).join(', ');
  const lines = [`${result.destination}${what ? ` (${what})` : ''}${result.target ? ` → ${result.target}` : ''}`];
  for (const hop of result.hops) {
    const time = hop.status === 'skipped' ? '' : `${formatMs(hop.ms)} ms`;
    lines.push(`${hopMarks[hop.status]} ${hopLabels[hop.hop].padEnd(width)}  ${time.padStart(9)}  ${hop.detail ?? ''}`.trimEnd());
  }
  const failure = result.firstFailure;
  const warning = result.warning;
  if (!failure && warning) {
    lines.push(
      `OK with a warning: the way works; the ${hopLabels[warning.hop]} does not let this path through [${warning.code ?? 'warning'}] (${formatMs(result.totalMs)} ms).`,
    );
    if (warning.fix) lines.push(`Hint: ${warning.fix}`);
    return lines;
  }
  if (!failure) {
    lines.push(`OK: every hop that applies works (${formatMs(result.totalMs)} ms).`);
    return lines;
  }
  const heading = failure.code ? `${errorHeadings[failure.code]} [${failure.code}]` : 'Failed';
  lines.push(`Broken at the ${hopLabels[failure.hop]}: ${heading} (${formatMs(result.totalMs)} ms).`);
  if (failure.fix) lines.push(`Fix: ${failure.fix}`);
  return lines;
}

function formatMs(ms: number): string {
  return ms >= 100 ? String(Math.round(ms)) : ms.toFixed(1);
}
