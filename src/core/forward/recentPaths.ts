import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomicJsonFile } from '../fs/atomicJsonFile';
import { silentLogger, type Logger } from '../log';

/**
 * Paths that worked recently through a destination's forwards, shared by the CLI and the extension in
 * `recent-paths.json` next to connections.json, so that `check` can name exposed paths when the Cloud Connector
 * refuses the one it probed. Forwards run in other processes, hence a file. It holds paths only: no query string,
 * no `;` parameters, no host, no header, no credential; destinations are keyed by a hash of the Destination
 * service and its client, not by either. Bounded: the last `MAX_PATHS` distinct paths per destination and
 * `MAX_DESTINATIONS` destinations.
 */

export const RECENT_PATHS_FILE = 'recent-paths.json';
export const MAX_PATHS = 20;
export const MAX_DESTINATIONS = 200;
/** The longest path kept; longer ones are more likely to carry data than to name a service. */
export const MAX_PATH_LENGTH = 256;

export interface RecentPath {
  readonly path: string;
  /** When it last answered 2xx/3xx, ISO 8601. */
  readonly at: string;
}

interface FileShape {
  readonly version: 1;
  readonly destinations: Record<string, RecentPath[]>;
}

/** The stable, non-identifying key of one Destination service (instance): a hash of its URI and client ID. */
export function recentPathsScope(destinationServiceUri: string, clientId: string): string {
  return createHash('sha256')
    .update(`${destinationServiceUri.replace(/\/+$/, '')}\n${clientId}`)
    .digest('hex')
    .slice(0, 16);
}

/** The scope of a connection's Destination service binding; undefined for anything else (local destinations). */
export function recentPathsScopeOf(binding: { readonly kind: string; readonly clientId: string; readonly uri?: string }): string | undefined {
  return binding.kind === 'destination' && binding.uri ? recentPathsScope(binding.uri, binding.clientId) : undefined;
}

/** The path part worth keeping, or undefined: no query, fragment or matrix parameters (`;jsessionid=`), no oddities. */
export function cleanPath(raw: string): string | undefined {
  const path = raw.split(/[?#]/, 1)[0]?.split(';', 1)[0] ?? '';
  if (!path.startsWith('/') || path.startsWith('//') || path.length > MAX_PATH_LENGTH) return undefined;
  // Printable ASCII only (clients percent-encode the rest): nothing that could break a line or a terminal.
  if (!/^[\x21-\x7e]+$/.test(path)) return undefined;
  return path;
}

function keyOf(scope: string, destination: string): string {
  return `${scope}/${destination}`;
}

async function readShape(file: AtomicJsonFile): Promise<FileShape> {
  try {
    const value = (await file.read()) as Partial<FileShape> | undefined;
    if (value && value.version === 1 && value.destinations && typeof value.destinations === 'object')
      return { version: 1, destinations: { ...value.destinations } };
  } catch {
    // A damaged record is only a lost hint: start afresh rather than fail a forward or a check.
  }
  return { version: 1, destinations: {} };
}

/** The recent paths of one destination, most recent first; empty when there is no record. */
export async function readRecentPaths(directory: string, scope: string, destination: string): Promise<RecentPath[]> {
  const shape = await readShape(new AtomicJsonFile(join(directory, RECENT_PATHS_FILE)));
  const entries = shape.destinations[keyOf(scope, destination)];
  return Array.isArray(entries)
    ? entries.filter((entry) => typeof entry?.path === 'string' && typeof entry.at === 'string' && cleanPath(entry.path) === entry.path)
    : [];
}

/** Newest first, one entry per path, at most `MAX_PATHS`. */
function merged(...lists: readonly (readonly RecentPath[])[]): RecentPath[] {
  const latest = new Map<string, string>();
  for (const list of lists) for (const { path, at } of list) if (!latest.has(path) || (latest.get(path) as string) < at) latest.set(path, at);
  return [...latest]
    .map(([path, at]) => ({ path, at }))
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
    .slice(0, MAX_PATHS);
}

export interface RecentPathsOptions {
  readonly logger?: Logger;
  /** How long notes gather before one write (default 2 s): a busy forward writes at most this often. */
  readonly flushDelayMs?: number;
  /** A path noted again within this time is not written again (default 10 min): only its timestamp would move. */
  readonly refreshMs?: number;
  readonly now?: () => number;
}

/**
 * Collects the paths forwards saw succeed and writes them in the background: `note` is a few map operations on the
 * request's path, the write happens on a timer (not keeping the process alive), read-merge-write so that other
 * processes' paths survive. Two processes writing in the same instant can lose one's batch: a hint, not a log.
 */
export class RecentPathsRecorder {
  private readonly file: AtomicJsonFile;
  private readonly logger: Logger;
  private readonly now: () => number;
  private pending = new Map<string, RecentPath[]>();
  /** When each destination/path was last noted; bounded, cleared when it grows past its limit. */
  private readonly noted = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    readonly directory: string,
    private readonly options: RecentPathsOptions = {},
  ) {
    this.file = new AtomicJsonFile(join(directory, RECENT_PATHS_FILE));
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
  }

  /** A request to `path` through a forward of `destination` answered 2xx/3xx. */
  note(scope: string, destination: string, rawPath: string): void {
    const path = cleanPath(rawPath);
    if (!path) return;
    const key = keyOf(scope, destination);
    const at = this.now();
    const seen = `${key} ${path}`;
    const last = this.noted.get(seen);
    if (last !== undefined && at - last < (this.options.refreshMs ?? 600_000)) return;
    if (this.noted.size >= 10_000) this.noted.clear();
    this.noted.set(seen, at);
    const list = this.pending.get(key) ?? [];
    list.push({ path, at: new Date(at).toISOString() });
    this.pending.set(key, list);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.options.flushDelayMs ?? 2_000);
      this.timer.unref();
    }
  }

  /** Writes what was noted; resolves when it is on disk. Failures are logged, never thrown (it is a hint). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = (async () => {
      try {
        await mkdir(this.directory, { recursive: true, mode: 0o700 });
        const shape = await readShape(this.file);
        for (const [key, list] of batch) shape.destinations[key] = merged(shape.destinations[key] ?? [], list);
        const newest = (entries: readonly RecentPath[]) => entries[0]?.at ?? '';
        const kept = Object.entries(shape.destinations)
          .sort(([, a], [, b]) => (newest(a) < newest(b) ? 1 : -1))
          .slice(0, MAX_DESTINATIONS);
        await this.file.write({ version: 1, destinations: Object.fromEntries(kept) } satisfies FileShape);
      } catch (error) {
        this.logger.debug(`recent paths not saved: ${(error as Error).message}`);
      }
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  /** Stops the timer and writes what is pending. */
  async dispose(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
