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
  | { readonly kind: 'create' | 'update'; readonly scope: Scope; readonly collection: Collection; readonly name: string; readonly value: Record<string, string>; readonly ifMatch?: string }
  | { readonly kind: 'delete'; readonly scope: Scope; readonly collection: Collection; readonly name: string; readonly ifMatch?: string };

export type OperationOutcome = 'created' | 'updated' | 'deleted' | 'exists' | 'not_found' | 'precondition_failed';

export interface OperationResult {
  readonly name: string;
  readonly outcome: OperationOutcome;
  readonly etag?: string;
}

type ScopeData = Record<Collection, Record<string, Entry>>;
interface StoreData {
  version: 1;
  scopes: Record<string, ScopeData>;
}

/**
 * The sandbox Destination service's state. Changes are applied in memory and, when a file backs the store,
 * made durable before the caller's promise resolves, so an acknowledged write survives kill -9.
 */
export class DestinationStore {
  private constructor(
    private data: StoreData,
    private readonly file: AtomicJsonFile | undefined,
  ) {}

  static async open(path?: string): Promise<DestinationStore> {
    const file = path ? new AtomicJsonFile(path) : undefined;
    const loaded = (await file?.read()) as StoreData | undefined;
    if (loaded !== undefined && (loaded.version !== 1 || typeof loaded.scopes !== 'object')) {
      throw new Error(`${path} is not a sandbox destination store (version 1)`);
    }
    return new DestinationStore(loaded ?? { version: 1, scopes: {} }, file);
  }

  get isEmpty(): boolean {
    return Object.keys(this.data.scopes).length === 0;
  }

  list(scope: Scope, collection: Collection): [string, Entry][] {
    const entries = Object.entries(this.data.scopes[scopeKey(scope)]?.[collection] ?? {});
    return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  get(scope: Scope, collection: Collection, name: string): Entry | undefined {
    const entries = this.data.scopes[scopeKey(scope)]?.[collection];
    return entries && Object.hasOwn(entries, name) ? entries[name] : undefined;
  }

  /** Applies the operations in order and persists once; each gets its own outcome (bulk calls report 207). */
  async apply(operations: readonly StoreOperation[]): Promise<OperationResult[]> {
    const results = operations.map((operation) => this.applyOne(operation));
    if (results.some((result) => ['created', 'updated', 'deleted'].includes(result.outcome))) await this.file?.write(this.data);
    return results;
  }

  /** Rewrites every stored value containing `from` (the sandbox moved to other ports since the last run). */
  async replaceInValues(from: string, to: string): Promise<void> {
    if (from === to) return;
    for (const scope of Object.values(this.data.scopes)) {
      for (const entries of Object.values(scope)) {
        for (const [name, entry] of Object.entries(entries)) {
          const value = Object.fromEntries(Object.entries(entry.value).map(([key, text]) => [key, text.split(from).join(to)]));
          entries[name] = { ...entry, value };
        }
      }
    }
    await this.file?.write(this.data);
  }

  private applyOne(operation: StoreOperation): OperationResult {
    const key = scopeKey(operation.scope);
    const scope = (this.data.scopes[key] ??= { destinations: {}, certificates: {}, fragments: {} });
    const entries = scope[operation.collection];
    const existing = Object.hasOwn(entries, operation.name) ? entries[operation.name] : undefined;
    const name = operation.name;
    if (operation.kind === 'create' && existing) return { name, outcome: 'exists' };
    if (operation.kind !== 'create' && !existing) return { name, outcome: 'not_found' };
    if (existing && operation.ifMatch !== undefined && !etagMatches(operation.ifMatch, existing.etag)) {
      return { name, outcome: 'precondition_failed' };
    }
    if (operation.kind === 'delete') {
      delete entries[name];
      return { name, outcome: 'deleted' };
    }
    const entry: Entry = { value: { ...operation.value }, etag: `"${randomUUID()}"`, modifiedAt: Date.now() };
    entries[name] = entry;
    return { name, outcome: operation.kind === 'create' ? 'created' : 'updated', etag: entry.etag };
  }
}

function scopeKey(scope: Scope): string {
  return scope.instanceId ? `${scope.tenantId}/${scope.instanceId}` : scope.tenantId;
}

/** `If-Match` / `If-None-Match` comparison: a list of tags or `*`; weak prefixes ignored. */
export function etagMatches(headerValue: string, etag: string): boolean {
  const wanted = headerValue.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  return wanted.includes('*') || wanted.includes(etag) || wanted.includes(etag.replace(/^"|"$/g, ''));
}
