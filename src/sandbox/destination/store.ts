import { randomUUID } from 'node:crypto';
import { AtomicJsonFile } from '../../core/fs/atomicJsonFile';

/** What the Destination service keeps per level: destinations, certificates and destination fragments. */
export type Collection = 'destinations' | 'certificates' | 'fragments';

/** A subaccount (tenant) or, with `instanceId`, one service instance inside it. */
export interface Scope {
  readonly tenantId: string;
  readonly instanceId?: string;
}

export interface Entry {
  readonly value: Readonly<Record<string, string>>;
  /** Quoted strong ETag, new on every change. */
  readonly etag: string;
  readonly modifiedAt: number;
}

export type StoreOperation =
  | {
      readonly kind: 'create' | 'update';
      readonly scope: Scope;
      readonly collection: Collection;
      readonly name: string;
      readonly value: Record<string, string>;
      readonly ifMatch?: string | undefined;
    }
  | { readonly kind: 'delete'; readonly scope: Scope; readonly collection: Collection; readonly name: string; readonly ifMatch?: string | undefined };

export type OperationOutcome = 'created' | 'updated' | 'deleted' | 'exists' | 'not_found' | 'precondition_failed';

export interface OperationResult {
  readonly name: string;
  readonly outcome: OperationOutcome;
  readonly etag?: string;
}

type ScopeData = Map<Collection, Map<string, Entry>>;
type Data = Map<string, ScopeData>;

interface StoreFile {
  version: 1;
  scopes: Record<string, Partial<Record<Collection, Record<string, Entry>>>>;
}

const collections: readonly Collection[] = ['destinations', 'certificates', 'fragments'];

/**
 * The sandbox Destination service's state. Maps, not plain objects, so that names like `__proto__` are just
 * names. Each change is applied to a copy, made durable (when a file backs the store), and only then becomes
 * visible: an acknowledged write survives kill -9, and a failed write changes nothing.
 */
export class DestinationStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private data: Data,
    private readonly file: AtomicJsonFile | undefined,
  ) {}

  static async open(path?: string): Promise<DestinationStore> {
    const file = path ? new AtomicJsonFile(path) : undefined;
    const loaded = (await file?.read()) as StoreFile | undefined;
    if (loaded !== undefined && (loaded.version !== 1 || typeof loaded.scopes !== 'object')) {
      throw new Error(`${path} is not a sandbox destination store (version 1)`);
    }
    return new DestinationStore(fromFile(loaded), file);
  }

  get isEmpty(): boolean {
    return this.data.size === 0;
  }

  list(scope: Scope, collection: Collection): [string, Entry][] {
    const entries = [...(this.data.get(scopeKey(scope))?.get(collection) ?? new Map<string, Entry>())];
    return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  get(scope: Scope, collection: Collection, name: string): Entry | undefined {
    return this.data.get(scopeKey(scope))?.get(collection)?.get(name);
  }

  /** Applies the operations in order and persists once; each gets its own outcome (bulk calls report 207). */
  apply(operations: readonly StoreOperation[]): Promise<OperationResult[]> {
    return this.serialised(async () => {
      const next = copy(this.data);
      const results = operations.map((operation) => applyOne(next, operation));
      if (results.some((result) => ['created', 'updated', 'deleted'].includes(result.outcome))) await this.file?.write(toFile(next));
      this.data = next;
      return results;
    });
  }

  /** Rewrites every stored value containing `from` (the sandbox moved to other ports since the last run). */
  replaceInValues(from: string, to: string): Promise<void> {
    if (from === to) return Promise.resolve();
    return this.serialised(async () => {
      const next = copy(this.data);
      for (const scope of next.values()) {
        for (const entries of scope.values()) {
          for (const [name, entry] of entries) {
            const value = Object.fromEntries(Object.entries(entry.value).map(([key, text]) => [key, text.split(from).join(to)]));
            entries.set(name, { ...entry, value });
          }
        }
      }
      await this.file?.write(toFile(next));
      this.data = next;
    });
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function applyOne(data: Data, operation: StoreOperation): OperationResult {
  const key = scopeKey(operation.scope);
  let scope = data.get(key);
  if (!scope) {
    scope = new Map(collections.map((collection) => [collection, new Map<string, Entry>()]));
    data.set(key, scope);
  }
  const entries = scope.get(operation.collection) as Map<string, Entry>;
  const existing = entries.get(operation.name);
  const name = operation.name;
  if (operation.kind === 'create' && existing) return { name, outcome: 'exists' };
  if (operation.kind !== 'create' && !existing) return { name, outcome: 'not_found' };
  if (existing && operation.ifMatch !== undefined && !etagMatches(operation.ifMatch, existing.etag)) {
    return { name, outcome: 'precondition_failed' };
  }
  if (operation.kind === 'delete') {
    entries.delete(name);
    return { name, outcome: 'deleted' };
  }
  const entry: Entry = { value: { ...operation.value }, etag: `"${randomUUID()}"`, modifiedAt: Date.now() };
  entries.set(name, entry);
  return { name, outcome: operation.kind === 'create' ? 'created' : 'updated', etag: entry.etag };
}

/** A copy deep enough to change: scopes and collections are new maps; entries are immutable and shared. */
function copy(data: Data): Data {
  return new Map([...data].map(([key, scope]) => [key, new Map([...scope].map(([collection, entries]) => [collection, new Map(entries)]))]));
}

function fromFile(file: StoreFile | undefined): Data {
  const data: Data = new Map();
  for (const [key, scope] of Object.entries(file?.scopes ?? {})) {
    data.set(key, new Map(collections.map((collection) => [collection, new Map(Object.entries(scope[collection] ?? {}))])));
  }
  return data;
}

function toFile(data: Data): StoreFile {
  // Object.fromEntries defines own properties, so a `__proto__` name is stored like any other.
  const scopes = Object.fromEntries(
    [...data].map(([key, scope]) => [key, Object.fromEntries([...scope].map(([collection, entries]) => [collection, Object.fromEntries(entries)]))]),
  );
  return { version: 1, scopes };
}

function scopeKey(scope: Scope): string {
  return scope.instanceId ? `${scope.tenantId}/${scope.instanceId}` : scope.tenantId;
}

/** `If-Match` / `If-None-Match` comparison: a list of tags or `*`; weak prefixes ignored. */
export function etagMatches(headerValue: string, etag: string): boolean {
  const wanted = headerValue.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  return wanted.includes('*') || wanted.includes(etag) || wanted.includes(etag.replace(/^"|"$/g, ''));
}
