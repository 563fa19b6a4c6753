import * as vscode from 'vscode';
import type { DestinationLevel } from '../../core/destinationService/types';
import { isBtpError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { errorHeadings } from '../../words/errorWords';
import type { ConnectionRegistry } from '../connections/connectionRegistry';
import { connectionItem, destinationItem, levelItem, messageItem } from './destinationItems';
import { DestinationsModel, type DestinationNode, type LevelNode, type TreeNode } from './destinationsModel';
import { DisposableStore } from '../../core/lifecycle/disposableStore';
import { certificateItem, certificatesItem, certificatesMessageItem } from './certificateItems';
import { CertificatesModel } from './certificatesModel';
import { fragmentItem, fragmentsChildren, fragmentsItem, loadFragments } from './fragmentItems';
import type { FragmentNode } from './fragmentNodes';

/**
 * The Destinations view. Levels load when expanded and stay cached until refreshed; a forward starting or
 * stopping refreshes only its destination's item, a connection refresh only that connection.
 */
export class DestinationsProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  readonly model = new DestinationsModel();
  /** The last connection-list reload (settled), which the next one and the tree's roots wait for. */
  private reloading: Promise<void> = Promise.resolve();
  readonly certificates = new CertificatesModel();
  private readonly changes = new vscode.EventEmitter<TreeNode | undefined>();
  private readonly subscriptions = new DisposableStore();
  readonly onDidChangeTreeData = this.changes.event;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly logger: Logger,
    /** Where connection secrets live, shown in each connection's tooltip (read when shown: chosen after activation). */
    private readonly secrets: { readonly description: string },
  ) {
    this.subscriptions.push(
      this.changes,
      registry.onDidChangeConnections(() => void this.reloadConnections()),
      registry.onDidChangeForward(({ connection, info }) => {
        const node = this.model.findDestination(connection, info.destination);
        if (node) this.changes.fire(node);
        const root = this.model.roots().find((candidate) => candidate.connection === connection);
        if (root && (info.state === 'stopped' || info.counters.requests === 0)) this.changes.fire(root);
      }),
      registry.onDidChangeUser((connection) => {
        const root = this.model.roots().find((candidate) => candidate.connection === connection);
        if (root) this.changes.fire(root);
      }),
    );
  }

  /**
   * Reads the connection list again. Reloads run one after another, so a slow earlier one (the first, started
   * during activation without waiting for it) never overwrites a newer list; the tree's roots wait for them.
   */
  reloadConnections(): Promise<void> {
    const next = this.reloading.then(async () => {
      this.model.setConnections(await this.registry.list());
      this.changes.fire(undefined);
    });
    this.reloading = next.catch(() => undefined);
    return next;
  }

  /** Refetches one connection (or everything) from the Destination service. */
  refresh(node?: TreeNode): void {
    if (!node) {
      for (const root of this.model.roots()) this.model.invalidate(root.connection);
      this.certificates.invalidate();
      for (const root of this.model.roots()) this.model.fragments.invalidate(root.connection);
      this.changes.fire(undefined);
      return;
    }
    if (node.kind === 'connection') this.certificates.invalidate(node.connection);
    if (node.kind === 'certificates' || node.kind === 'certificate' || node.kind === 'certificatesMessage') return this.refreshCertificates(node.connection);
    const target = node.kind === 'destination' || node.kind === 'message' || node.kind === 'fragment' ? this.model.parentOf(node) : node;
    if (!target || (target.kind !== 'connection' && target.kind !== 'level' && target.kind !== 'fragments')) return;
    if (target.kind !== 'level') this.model.fragments.invalidate(target.connection);
    if (target.kind !== 'fragments') this.model.invalidate(target.connection, target.kind === 'level' ? target.level : undefined);
    this.changes.fire(target);
  }

  /** Refetches one level of a connection (after a destination was saved or deleted there). */
  refreshLevel(connection: string, level: DestinationLevel): void {
    this.refresh(this.model.levelNode(connection, level));
  }

  /** Refetches the certificates of a connection (after one was uploaded or deleted). */
  refreshCertificates(connection: string): void {
    this.certificates.invalidate(connection);
    this.changes.fire(this.certificates.nodeOf(connection));
  }

  /** Refetches the fragments of a connection (after one was saved or deleted). */
  refreshFragments(connection: string): void {
    this.refresh(this.model.fragments.nodeOf(connection));
  }

  setFilter(text: string): void {
    this.model.setFilter(text);
    void vscode.commands.executeCommand('setContext', 'btpConnect.filterActive', text.trim() !== '');
    this.changes.fire(undefined);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'connection':
        return connectionItem(
          node,
          this.registry.forwards().filter((entry) => entry.connection === node.connection).length,
          this.secrets.description,
          this.registry.signedInUser(node.connection),
        );
      case 'level':
        return levelItem(
          node,
          this.model.roots().some((root) => root.connection === node.connection && root.connectionKind === 'local'),
        );
      case 'destination':
        return destinationItem(node, this.registry.forwardOf(node.connection, node.name));
      case 'message':
        return messageItem(node);
      case 'certificates':
        return certificatesItem(node);
      case 'certificate':
        return certificateItem(node);
      case 'certificatesMessage':
        return certificatesMessageItem(node);
      case 'fragments':
        return fragmentsItem(node);
      case 'fragment':
        return fragmentItem(node);
    }
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      await this.reloading;
      return [...this.model.roots()];
    }
    if (node.kind === 'connection')
      return [
        ...this.model.levelsOf(node),
        ...fragmentsChildren(this.model.fragments, node),
        ...(node.connectionKind === 'local' ? [] : [this.certificates.nodeOf(node.connection)]),
      ];
    if (node.kind === 'certificates') {
      if (!this.certificates.isLoaded(node.connection)) await this.loadCertificates(node.connection);
      return [...this.certificates.childrenOf(node.connection)];
    }
    if (node.kind === 'fragments') {
      if (!this.model.fragments.isLoaded(node)) await loadFragments(this.model.fragments, this.registry, node, this.logger);
      return [...this.model.fragments.childrenOf(node)];
    }
    if (node.kind !== 'level') return [];
    if (!this.model.isLoaded(node)) await this.load(node);
    return [...this.model.childrenOf(node)];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    if (node.kind === 'certificates') return this.model.roots().find((root) => root.connection === node.connection);
    if (node.kind === 'certificate' || node.kind === 'certificatesMessage') return this.certificates.nodeOf(node.connection);
    return this.model.parentOf(node);
  }

  /** Loads both levels of a connection (for pickers and `reveal` before the user expanded anything). */
  async loadConnection(connection: string): Promise<void> {
    for (const level of this.model.levelsOf({ connection })) {
      if (!this.model.isLoaded(level)) await this.load(level);
    }
  }

  /** The fragments of a connection, loaded first when they are not (for pickers). */
  async loadFragments(connection: string): Promise<readonly FragmentNode[]> {
    const node = this.model.fragments.nodeOf(connection);
    if (!this.model.fragments.isLoaded(node)) await loadFragments(this.model.fragments, this.registry, node, this.logger);
    return this.model.fragments.fragmentsOf(connection);
  }

  findDestination(connection: string, name: string): DestinationNode | undefined {
    return this.model.findDestination(connection, name);
  }

  dispose(): void {
    this.subscriptions.dispose();
  }

  private async loadCertificates(name: string): Promise<void> {
    try {
      const { client } = await this.registry.get(name);
      this.certificates.set(name, { subaccount: await client.listCertificates('subaccount'), instance: await client.listCertificates('instance') });
    } catch (error) {
      const text = isBtpError(error) ? `${errorHeadings[error.code]}: ${error.message}` : String(error);
      this.logger.warn(`loading the certificates of ${name} failed: ${text}`);
      this.certificates.setError(name, text);
    }
  }

  private async load(level: LevelNode): Promise<void> {
    try {
      const connection = await this.registry.get(level.connection);
      this.model.setDestinations(level.connection, level.level, await connection.client.list(level.level));
    } catch (error) {
      const text = isBtpError(error) ? `${errorHeadings[error.code]}: ${error.message}` : String(error);
      this.logger.warn(`loading ${level.level} destinations of ${level.connection} failed: ${text}`);
      this.model.setError(level.connection, level.level, text);
    }
  }
}
