import { redactText } from '../redact';
import { HOP_IDS, type CheckResult, type HopFailure, type HopId, type HopResult } from './types';

/**
 * Collects hop results as a check walks the path. Every text passes `redactText` on the way in, so that no token
 * or password a service echoed in an error reaches the result. `result()` fills the hops nobody set: "not
 * reached" after a failure, "does not apply" otherwise.
 */
export class HopRecorder {
  private readonly hops = new Map<HopId, HopResult>();
  private readonly fallbacks = new Map<HopId, HopResult>();
  private failure: HopResult | undefined;
  private warning: HopResult | undefined;
  private readonly started = performance.now();

  get failed(): boolean {
    return this.failure !== undefined;
  }

  ok(hop: HopId, ms: number, detail: string): void {
    this.set({ hop, status: 'ok', ms: round(ms), detail: redactText(detail) });
  }

  fail(hop: HopId, ms: number, failure: HopFailure): void {
    const result: HopResult = { hop, status: 'failed', ms: round(ms), detail: redactText(failure.detail), code: failure.code, fix: redactText(failure.fix) };
    this.set(result);
    this.failure ??= result;
  }

  /** The hop refused only what was asked (a path the Cloud Connector does not expose): reported, not a failure. */
  warn(hop: HopId, ms: number, warning: HopFailure, exposed?: readonly string[], recentPaths?: readonly string[]): void {
    const result: HopResult = {
      hop,
      status: 'warning',
      ms: round(ms),
      detail: redactText(warning.detail),
      code: warning.code,
      fix: redactText(warning.fix),
      ...(exposed ? { exposed } : {}),
      ...(recentPaths && recentPaths.length > 0 ? { recentPaths } : {}),
    };
    this.set(result);
    this.warning ??= result;
  }

  skip(hop: HopId, detail: string): void {
    this.set({ hop, status: 'skipped', ms: 0, detail: redactText(detail) });
  }

  /** What `result()` says about `hop` if no step decides it (the proxy hop: none used, or no request passed it). */
  fallback(hop: HopId, detail: string): void {
    this.fallbacks.set(hop, { hop, status: 'skipped', ms: 0, detail: redactText(detail) });
  }

  has(hop: HopId): boolean {
    return this.hops.has(hop);
  }

  result(fields: Omit<CheckResult, 'hops' | 'firstFailure' | 'warning' | 'totalMs'>): CheckResult {
    const notReached = this.failure
      ? 'not reached: an earlier hop failed'
      : this.warning
        ? `not reached: the ${this.warning.hop === 'cloudConnector' ? 'Cloud Connector' : this.warning.hop} did not let this path through`
        : 'does not apply';
    const hops = HOP_IDS.map((hop) => this.hops.get(hop) ?? this.fallbacks.get(hop) ?? { hop, status: 'skipped' as const, ms: 0, detail: notReached });
    const verdict = this.failure ? { firstFailure: this.failure } : this.warning ? { warning: this.warning } : {};
    return { ...fields, hops, ...verdict, totalMs: round(performance.now() - this.started) };
  }

  private set(result: HopResult): void {
    if (!this.hops.has(result.hop)) this.hops.set(result.hop, result);
  }
}

/** Runs `work` and measures it; the error, if any, comes back instead of being thrown. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ok: true; value: T; ms: number } | { ok: false; error: unknown; ms: number }> {
  const started = performance.now();
  try {
    const value = await work();
    return { ok: true, value, ms: performance.now() - started };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - started };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
