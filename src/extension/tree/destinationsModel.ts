import type { DestinationLevel, DestinationRecord } from '../../core/destinationService/types';
import type { CertificateTreeNode } from './certificatesModel';
import { FragmentsModel, type FragmentNode, type FragmentsNode } from './fragmentNodes';

/**
 * What the Destinations tree shows, without any VS Code type: connection → level → destination. Elements are
 * plain records with stable ids, so `reveal`, partial refreshes and tests work on the same keys. Pure data: the
 * provider loads levels and turns nodes into TreeItems.
 */

export interface ConnectionNode {
  readonly kind: 'connection';
  readonly id: string;
  readonly connection: string;
  readonly connectionKind: 'saved' | 'sandbox' | 'local';
  readonly description: string;
  /** The subscriber tenant the connection acts for; none: the provider. */
  readonly tenant?: string;
}

export interface LevelNode {
  readonly kind: 'level';
  readonly id: string;
  readonly connection: string;
  readonly level: DestinationLevel;
}

export interface DestinationNode {
  readonly kind: 'destination';
  readonly id: string;
  readonly connection: string;
  readonly level: DestinationLevel;
  readonly name: string;
  readonly record: DestinationRecord;
}

export interface MessageNode {
  readonly kind: 'message';
  readonly id: string;
  readonly parentId: string;
  readonly text: string;
  readonly isError: boolean;
}

export type TreeNode = ConnectionNode | LevelNode | DestinationNode | MessageNode | CertificateTreeNode | FragmentsNode | FragmentNode;

type LevelContent = { readonly destinations: readonly DestinationNode[] } | { readonly error: string };

const levels: readonly DestinationLevel[] = ['subaccount', 'instance'];

export class DestinationsModel {
  private connections: ConnectionNode[] = [];
  private readonly contents = new Map<string, LevelContent>();
  private readonly levelNodes = new Map<string, LevelNode>();
  private filterText = '';
  readonly fragments = new FragmentsModel();

  get filter(): string {
    return this.filterText;
  }

  /** Case-insensitive substring over name, URL/address and description; empty shows everything. */
  setFilter(text: string): void {
    this.filterText = text.trim().toLowerCase();
  }

  setConnections(entries: readonly { name: string; kind: ConnectionNode['connectionKind']; description: string; tenant?: string }[]): void {
    const names = new Set(entries.map((entry) => entry.name));
    for (const id of [...this.contents.keys()]) if (!names.has(id.split('/')[1] ?? '')) this.contents.delete(id);
    this.fragments.forget((connection) => names.has(connection));
    this.connections = entries.map((entry) => ({
      kind: 'connection',
      id: connectionId(entry.name),
      connection: entry.name,
      connectionKind: entry.kind,
      description: entry.description,
      ...(entry.tenant ? { tenant: entry.tenant } : {}),
    }));
  }

  roots(): readonly ConnectionNode[] {
    return this.connections;
  }

  /** The level nodes of a connection, the same objects every time: VS Code keys tree elements by identity. */
  levelsOf(connection: Pick<ConnectionNode, 'connection'>): LevelNode[] {
    // Local destinations have one level; it is shown as "Destinations".
    const kind = this.connections.find((candidate) => candidate.connection === connection.connection)?.connectionKind;
    return (kind === 'local' ? (['subaccount'] as const) : levels).map((level) => this.levelNode(connection.connection, level));
  }

  levelNode(connection: string, level: DestinationLevel): LevelNode {
    const id = levelId(connection, level);
    let node = this.levelNodes.get(id);
    if (!node) {
      node = { kind: 'level', id, connection, level };
      this.levelNodes.set(id, node);
    }
    return node;
  }

  isLoaded(level: LevelNode): boolean {
    return this.contents.has(level.id);
  }

  setDestinations(connection: string, level: DestinationLevel, records: readonly DestinationRecord[]): void {
    const destinations = records
      .filter((record) => typeof record.Name === 'string')
      .map((record): DestinationNode => ({
        kind: 'destination',
        id: destinationId(connection, level, record.Name as string),
        connection,
        level,
        name: record.Name as string,
        record,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    this.contents.set(levelId(connection, level), { destinations });
  }

  setError(connection: string, level: DestinationLevel, message: string): void {
    this.contents.set(levelId(connection, level), { error: message });
  }

  /** Forget a level (or every level of a connection) so it is loaded again. */
  invalidate(connection: string, level?: DestinationLevel): void {
    for (const candidate of level ? [level] : levels) this.contents.delete(levelId(connection, candidate));
  }

  childrenOf(level: LevelNode): readonly TreeNode[] {
    const content = this.contents.get(level.id);
    if (!content) return [];
    if ('error' in content) return [{ kind: 'message', id: `${level.id}/!error`, parentId: level.id, text: content.error, isError: true }];
    const visible = this.filterText ? content.destinations.filter((node) => matches(node, this.filterText)) : content.destinations;
    if (visible.length === 0) {
      const text = this.filterText ? `No destination matches "${this.filterText}"` : 'No destinations';
      return [{ kind: 'message', id: `${level.id}/!empty`, parentId: level.id, text, isError: false }];
    }
    return visible;
  }

  parentOf(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'connection':
        return undefined;
      case 'level':
        return this.connections.find((candidate) => candidate.connection === node.connection);
      case 'destination':
        return this.levelNode(node.connection, node.level);
      case 'fragments':
        return this.connections.find((candidate) => candidate.connection === node.connection);
      case 'fragment':
        return this.fragments.nodeOf(node.connection);
      case 'message': {
        if (node.parentId.startsWith('fs/')) return this.fragments.nodeOf(node.parentId.slice('fs/'.length));
        const [, connection, level] = node.parentId.split('/');
        return connection && level ? this.levelNode(connection, level as DestinationLevel) : undefined;
      }
      default:
        // Certificates: the provider knows their parents (certificatesModel.ts).
        return undefined;
    }
  }

  /** The loaded destination of that name, instance level first (as find-destination resolves it). */
  findDestination(connection: string, name: string): DestinationNode | undefined {
    for (const level of ['instance', 'subaccount'] as const) {
      const content = this.contents.get(levelId(connection, level));
      const found = content && 'destinations' in content ? content.destinations.find((node) => node.name === name) : undefined;
      if (found) return found;
    }
    return undefined;
  }

  /** Every loaded destination, for pickers. */
  allDestinations(): DestinationNode[] {
    return [...this.contents.values()].flatMap((content) => ('destinations' in content ? content.destinations : []));
  }
}

export function connectionId(connection: string): string {
  return `c/${connection}`;
}

export function levelId(connection: string, level: DestinationLevel): string {
  return `l/${connection}/${level}`;
}

export function destinationId(connection: string, level: DestinationLevel, name: string): string {
  return `d/${connection}/${level}/${name}`;
}

/** Where a destination points: URL, TCP address, LDAP URL, mail host or RFC host. */
export function targetOf(record: DestinationRecord): string {
  return (
    record.URL ??
    record.Address ??
    record['ldap.url'] ??
    record['mail.smtp.host'] ??
    record['jco.client.ashost'] ??
    record['jco.client.mshost'] ??
    record['jco.client.wshost'] ??
    ''
  );
}

function matches(node: DestinationNode, filter: string): boolean {
  return [node.name, targetOf(node.record), node.record.Description ?? ''].some((text) => text.toLowerCase().includes(filter));
}
