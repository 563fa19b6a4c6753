import type { DestinationLevel, DestinationRecord } from '../../core/destinationService/types';
import type { MessageNode } from './destinationsModel';

/**
 * The "Fragments" node of a connection and its fragments (both levels, as find-destination merges a fragment of
 * the destination's level). Pure data with stable ids, like the rest of the tree's model.
 */

export interface FragmentsNode {
  readonly kind: 'fragments';
  readonly id: string;
  readonly connection: string;
}

export interface FragmentNode {
  readonly kind: 'fragment';
  readonly id: string;
  readonly connection: string;
  readonly level: DestinationLevel;
  readonly name: string;
  readonly record: DestinationRecord;
}

type Content = { readonly fragments: readonly FragmentNode[] } | { readonly error: string };

export class FragmentsModel {
  private readonly nodes = new Map<string, FragmentsNode>();
  private readonly contents = new Map<string, Content>();

  /** The connection's Fragments node, the same object every time (VS Code keys tree elements by identity). */
  nodeOf(connection: string): FragmentsNode {
    const id = fragmentsId(connection);
    let node = this.nodes.get(id);
    if (!node) {
      node = { kind: 'fragments', id, connection };
      this.nodes.set(id, node);
    }
    return node;
  }

  isLoaded(node: FragmentsNode): boolean {
    return this.contents.has(node.id);
  }

  set(connection: string, byLevel: Readonly<Record<DestinationLevel, readonly DestinationRecord[]>>): void {
    const fragments = (['subaccount', 'instance'] as const)
      .flatMap((level) =>
        byLevel[level]
          .filter((record) => typeof record.FragmentName === 'string')
          .map((record): FragmentNode => {
            const name = record.FragmentName as string;
            return { kind: 'fragment', id: `${fragmentsId(connection)}/${level}/${name}`, connection, level, name, record };
          }),
      )
      .sort((a, b) => a.name.localeCompare(b.name) || a.level.localeCompare(b.level));
    this.contents.set(fragmentsId(connection), { fragments });
  }

  setError(connection: string, message: string): void {
    this.contents.set(fragmentsId(connection), { error: message });
  }

  invalidate(connection: string): void {
    this.contents.delete(fragmentsId(connection));
  }

  forget(keep: (connection: string) => boolean): void {
    for (const id of [...this.contents.keys()]) if (!keep(id.slice('fs/'.length))) this.contents.delete(id);
  }

  childrenOf(node: FragmentsNode): readonly (FragmentNode | MessageNode)[] {
    const content = this.contents.get(node.id);
    if (!content) return [];
    if ('error' in content) return [{ kind: 'message', id: `${node.id}/!error`, parentId: node.id, text: content.error, isError: true }];
    if (content.fragments.length === 0) return [{ kind: 'message', id: `${node.id}/!empty`, parentId: node.id, text: 'No fragments', isError: false }];
    return content.fragments;
  }

  /** The loaded fragments of a connection, for pickers. */
  fragmentsOf(connection: string): readonly FragmentNode[] {
    const content = this.contents.get(fragmentsId(connection));
    return content && 'fragments' in content ? content.fragments : [];
  }
}

function fragmentsId(connection: string): string {
  return `fs/${connection}`;
}
