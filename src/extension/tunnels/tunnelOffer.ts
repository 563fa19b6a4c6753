import * as vscode from 'vscode';
import { ErrorCode } from '../../core/errors';
import { ALL_DESTINATIONS } from '../../core/forward/router';
import { CommandId } from '../base/commandIds';
import type { ConnectionRegistry } from '../connections/connectionRegistry';
import { DisposableStore } from '../../core/lifecycle/disposableStore';

/**
 * A forward that cannot reach the connectivity proxy (real BTP, no tunnel) offers "Set Up Tunnel…", once per
 * connection until its tunnel changes: a burst of failing requests must not become a burst of notifications.
 */
export class TunnelOffer implements vscode.Disposable {
  private readonly offered = new Set<string>();
  private readonly subscriptions: DisposableStore;

  constructor(registry: ConnectionRegistry) {
    this.subscriptions = DisposableStore.of(
      registry.onDidChangeForward(({ connection, info }) => {
        if (info.lastError?.code !== ErrorCode.ProxyUnreachable || this.offered.has(connection)) return;
        this.offered.add(connection);
        const what = info.destination === ALL_DESTINATIONS ? 'A destination' : `"${info.destination}"`;
        void vscode.window
          .showWarningMessage(
            vscode.l10n.t(
              '{0} cannot reach the connectivity proxy of {1}: on real BTP it answers only inside Cloud Foundry or Kyma. A tunnel through an app or the cluster makes it reachable.',
              what,
              connection,
            ),
            vscode.l10n.t('Set Up Tunnel…'),
          )
          .then((choice) => {
            if (choice) void vscode.commands.executeCommand(CommandId.setUpTunnel, { kind: 'connection', connection, connectionKind: 'saved' });
          });
      }),
      registry.onDidChangeTunnel((connection) => this.offered.delete(connection)),
    );
  }

  dispose(): void {
    this.subscriptions.dispose();
  }
}
