import * as vscode from 'vscode';
import type { DestinationLevel } from '../../core/destinationService/types';
import { isBtpError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { errorHeadings } from '../../words/errorWords';
import type { ConnectionRegistry } from '../connections/connectionRegistry';
import { connectionItem, destinationItem, levelItem, messageItem } from './destinationItems';
import { DestinationsModel, type DestinationNode, type LevelNode, type TreeNode } from './destinationsModel';
import { DisposableStore } from '../../core/lifecycle/disposableStore';

/**
 * The Destinations view. Levels load when expanded and stay cached until refreshed; a forward starting or
 * stopping refreshes only its destination's item, a connection refresh only that connection.
 */
export class DestinationsProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  readonly model = new DestinationsModel();
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

  async reloadConnections(): Promise<void> {
    this.model.setConnections(await this.registry.list());
    this.changes.fire(undefined);
  }

  /** Refetches one connection (or everything) from the Destination service. */
  refresh(node?: TreeNode): void {
    if (!node) {
      for (const root of this.model.roots()) this.model.invalidate(root.connection);
      this.changes.fire(undefined);
      return;
    }
    const target = node.kind === 'destination' || node.kind === 'message' ? this.model.parentOf(node) : node;
    if (!target || target.kind === 'message' || target.kind === 'destination') return;
    this.model.invalidate(target.connection, target.kind === 'level' ? target.level : undefined);
    this.changes.fire(target);
  }

  /** Refetches one level of a connection (after a destination was saved or deleted there). */
  refreshLevel(connection: string, level: DestinationLevel): void {
    this.refresh(this.model.levelNode(connection, level));
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
    }
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) return [...this.model.roots()];
    if (node.kind === 'connection') return this.model.levelsOf(node);
    if (node.kind !== 'level') return [];
    if (!this.model.isLoaded(node)) await this.load(node);
    return [...this.model.childrenOf(node)];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return this.model.parentOf(node);
  }

  /** Loads both levels of a connection (for pickers and `reveal` before the user expanded anything). */
  async loadConnection(connection: string): Promise<void> {
    for (const level of this.model.levelsOf({ connection })) {
      if (!this.model.isLoaded(level)) await this.load(level);
    }
  }

  findDestination(connection: string, name: string): DestinationNode | undefined {
    return this.model.findDestination(connection, name);
  }

  dispose(): void {
    this.subscriptions.dispose();
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
