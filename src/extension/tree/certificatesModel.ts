import type { CertificateRecord, DestinationLevel } from '../../core/destinationService/types';

/**
 * The "Certificates" node of a connection and its items (the Destination service's certificates of both
 * levels), without any VS Code type. Loaded when expanded, cached until refreshed, like the levels.
 */

export interface CertificatesNode {
  readonly kind: 'certificates';
  readonly id: string;
  readonly connection: string;
}

export interface CertificateNode {
  readonly kind: 'certificate';
  readonly id: string;
  readonly connection: string;
  readonly level: DestinationLevel;
  readonly name: string;
  readonly record: CertificateRecord;
}

/** What the node shows when there is nothing to list: the service's error, or that there is none. */
export interface CertificatesMessage {
  readonly kind: 'certificatesMessage';
  readonly id: string;
  readonly connection: string;
  readonly text: string;
  readonly isError: boolean;
}

export type CertificateTreeNode = CertificatesNode | CertificateNode | CertificatesMessage;

type Content = { readonly certificates: readonly CertificateNode[] } | { readonly error: string };

export class CertificatesModel {
  private readonly nodes = new Map<string, CertificatesNode>();
  private readonly contents = new Map<string, Content>();

  /** The same object every time: VS Code keys tree elements by identity. */
  nodeOf(connection: string): CertificatesNode {
    let node = this.nodes.get(connection);
    if (!node) {
      node = { kind: 'certificates', id: `k/${connection}`, connection };
      this.nodes.set(connection, node);
    }
    return node;
  }

  isLoaded(connection: string): boolean {
    return this.contents.has(connection);
  }

  set(connection: string, levels: Readonly<Record<DestinationLevel, readonly CertificateRecord[]>>): void {
    const certificates = (['subaccount', 'instance'] as const).flatMap((level) =>
      levels[level]
        .filter((record) => typeof record.Name === 'string')
        .map((record): CertificateNode => ({
          kind: 'certificate',
          id: `k/${connection}/${level}/${record.Name}`,
          connection,
          level,
          name: record.Name,
          record,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    this.contents.set(connection, { certificates });
  }

  setError(connection: string, message: string): void {
    this.contents.set(connection, { error: message });
  }

  invalidate(connection?: string): void {
    if (connection === undefined) this.contents.clear();
    else this.contents.delete(connection);
  }

  childrenOf(connection: string): readonly CertificateTreeNode[] {
    const content = this.contents.get(connection);
    if (!content) return [];
    const message = (text: string, isError: boolean): CertificatesMessage => ({
      kind: 'certificatesMessage',
      id: `k/${connection}/!${isError ? 'error' : 'empty'}`,
      connection,
      text,
      isError,
    });
    if ('error' in content) return [message(content.error, true)];
    return content.certificates.length > 0 ? content.certificates : [message('No certificates uploaded', false)];
  }

  /** The loaded certificates of a connection, for pickers. */
  certificatesOf(connection: string): readonly CertificateNode[] {
    const content = this.contents.get(connection);
    return content && 'certificates' in content ? content.certificates : [];
  }
}
