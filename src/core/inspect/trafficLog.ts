import { Emitter, type Disposable } from '../events';
import { scrubHeaders } from './mask';
import type { TrafficEntry, TrafficSummary } from './types';

export interface TrafficLogOptions {
  /** Exchanges kept; the oldest go first (default 500). */
  readonly capacity?: number;
  /** Record bodies (up to `bodyLimit` bytes each); off by default. */
  readonly bodies?: boolean;
  /** Bytes kept per body (default 64 KiB). */
  readonly bodyLimit?: number;
  /** Body bytes kept in all; beyond it the oldest entries lose their bodies first (default 8 MiB). */
  readonly bodyBudget?: number;
}

/**
 * The exchanges of one forward while somebody inspects it: a ring buffer with a bound on entries and on body
 * bytes, so that a long session or a large download cannot grow it. Entries arrive masked (see `mask.ts`).
 */
export class TrafficLog {
  readonly capacity: number;
  readonly bodyLimit: number;
  private readonly bodyBudget: number;
  private recordBodies: boolean;
  private readonly entries: TrafficEntry[] = [];
  private bodyBytes = 0;
  private nextId = 1;
  private readonly added = new Emitter<TrafficSummary>();
  private readonly cleared = new Emitter<void>();

  constructor(options: TrafficLogOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 500);
    this.bodyLimit = Math.max(0, options.bodyLimit ?? 64 * 1024);
    this.bodyBudget = Math.max(0, options.bodyBudget ?? 8 * 1024 * 1024);
    this.recordBodies = options.bodies === true;
  }

  get bodies(): boolean {
    return this.recordBodies;
  }

  /** Switches body recording for the exchanges that start from now on. */
  setBodies(on: boolean): void {
    this.recordBodies = on;
  }

  /** The id the next exchange gets (`add` takes it with the entry, saving a copy per request). */
  takeId(): number {
    return this.nextId++;
  }

  /** Takes an exchange with an id from `takeId`, and drops what is over capacity or budget. */
  add(stored: TrafficEntry): void {
    this.entries.push(stored);
    this.bodyBytes += bodyBytesOf(stored);
    while (this.entries.length > this.capacity) this.bodyBytes -= bodyBytesOf(this.entries.shift() as TrafficEntry);
    for (let index = 0; this.bodyBytes > this.bodyBudget && index < this.entries.length; index++) {
      const old = this.entries[index] as TrafficEntry;
      const bytes = bodyBytesOf(old);
      if (bytes === 0) continue;
      const { requestBody: _request, responseBody: _response, ...withoutBodies } = old;
      this.entries[index] = withoutBodies;
      this.bodyBytes -= bytes;
    }
    // A summary only for somebody listening: the bench records at full request rate with nobody watching.
    if (this.added.hasListeners) this.added.fire(summaryOf(stored));
  }

  list(): TrafficSummary[] {
    return this.entries.map(summaryOf);
  }

  /** One exchange as it may be shown: ordinary header values scrubbed of tokens too (see `scrubHeaders`). */
  get(id: number): TrafficEntry | undefined {
    // Ids grow by one: the entry is at its offset from the oldest one, unless bodies were stripped (same slot).
    const oldest = this.entries[0]?.id ?? 0;
    const entry = this.entries[id - oldest];
    return entry?.id === id ? scrubbed(entry) : undefined;
  }

  /** Every exchange as it may be shown, oldest first (exports). */
  all(): TrafficEntry[] {
    return this.entries.map(scrubbed);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Body bytes held right now (for the bound). */
  get heldBodyBytes(): number {
    return this.bodyBytes;
  }

  clear(): void {
    this.entries.length = 0;
    this.bodyBytes = 0;
    this.cleared.fire();
  }

  onDidAdd(listener: (summary: TrafficSummary) => void): Disposable {
    return this.added.event(listener);
  }

  onDidClear(listener: () => void): Disposable {
    return this.cleared.event(listener);
  }

  dispose(): void {
    this.added.dispose();
    this.cleared.dispose();
  }
}

function scrubbed(entry: TrafficEntry): TrafficEntry {
  return {
    ...entry,
    requestHeaders: scrubHeaders(entry.requestHeaders),
    ...(entry.upstreamHeaders ? { upstreamHeaders: scrubHeaders(entry.upstreamHeaders) } : {}),
    ...(entry.responseHeaders ? { responseHeaders: scrubHeaders(entry.responseHeaders) } : {}),
  };
}

export function summaryOf(entry: TrafficEntry): TrafficSummary {
  return {
    id: entry.id,
    startedAt: entry.startedAt,
    destination: entry.destination,
    method: entry.method,
    path: entry.path,
    status: entry.status,
    durationMs: entry.durationMs,
    bytesIn: entry.bytesIn,
    bytesOut: entry.bytesOut,
    ...(entry.error ? { error: entry.error } : {}),
  };
}

function bodyBytesOf(entry: TrafficEntry): number {
  return keptBytes(entry.requestBody) + keptBytes(entry.responseBody);
}

function keptBytes(body: TrafficEntry['requestBody']): number {
  if (!body) return 0;
  return (body.text?.length ?? 0) + (body.base64?.length ?? 0);
}
